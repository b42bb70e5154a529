"""Size limits that keep a hostile or broken input from exhausting memory."""

MAX_FILE_BYTES = 64 * 2**20  # one activity file, after decompression; real ones are far smaller
MAX_ARCHIVE_TOTAL_BYTES = 4 * 2**30  # everything unpacked from one export archive
MAX_COMPRESSION_RATIO = 200  # real FIT/GPX/CSV compress 3-20x; bombs compress 1000x and more
MAX_ARCHIVE_MEMBERS = 200_000
