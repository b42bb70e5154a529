def test_help_teaches_the_commands(run_cli):
    r = run_cli("--help")
    assert r.code == 0
    assert "kb" in r.stdout


def test_unknown_option_value_is_a_usage_error(run_cli):
    r = run_cli("kb", "check", "--format", "xml")
    assert r.code == 2
    assert "Traceback" not in r.stderr + r.stdout
