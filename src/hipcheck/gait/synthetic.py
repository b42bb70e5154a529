"""A synthetic runner for validation: 3D treadmill running kinematics with known pelvic drop, hip adduction,
overstride, tibia and trunk angles, filmed by virtual pinhole cameras (side and rear) with roll, yaw,
pixel noise, left/right label swaps and the 30-50 mm hip and knee keypoint offsets of pose models
(Needham 2021). It isolates the geometry, sign conventions and arithmetic of the metrics from the pose
model. It shares the event rule's assumption (contact at the heel's most forward point), so event timing
is validated on the real clip instead.

World frame: x forward (running direction), y to the runner's left, z up; metres. Truth values are the
same definitions applied to the 3D joint centres projected straight onto the sagittal (side metrics) or
frontal (rear metrics) plane.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .keypoints import INDEX, KEYPOINTS, Keypoints

THIGH_M, SHANK_M = 0.45, 0.43
HIP_WIDTH_M, SHOULDER_WIDTH_M, TRUNK_M = 0.18, 0.36, 0.50
ANKLE_HEIGHT_M = 0.07
HEEL_IN_FOOT = np.array([-0.07, -0.06])  # (forward, up) from the ankle, foot flat
TOE_IN_FOOT = np.array([0.16, -0.07])


@dataclass
class RunnerSpec:
    """The runner. Per-side values are (left, right)."""
    cadence_spm: float = 170.0
    belt_speed_mps: float = 3.0
    duty_factor: float = 0.36
    foot_ahead_m: tuple[float, float] = (0.30, 0.26)  # ankle ahead of the pelvis at contact
    pelvic_drop_deg: tuple[float, float] = (5.0, 8.0)  # peak contralateral drop while standing on each leg
    hip_adduction_deg: tuple[float, float] = (6.0, 9.0)  # peak, added to the pelvis tilt
    foot_inclination_deg: tuple[float, float] = (15.0, 12.0)  # toe up at contact
    trunk_lean_deg: float = 8.0
    lateral_lean_deg: tuple[float, float] = (2.0, 4.0)  # towards the stance side
    step_half_width_m: tuple[float, float] = (0.05, 0.03)  # foot's distance from the midline at midstance
    standing_pelvic_tilt_deg: float = 1.5  # + right hip lower, in the standing photo and under the running
    vertical_oscillation_m: float = 0.08  # pelvis, peak to peak
    hip_height_m: float = 0.84


@dataclass
class Camera:
    """A pinhole camera. `view` 'side' stands on the runner's left looking right-to-left across them (the
    runner faces image-left); 'rear' stands behind; 'front' stands ahead, looking back at the runner. `yaw_deg` turns it about the vertical, `roll_deg` about
    its optical axis (+: a level line runs down to the right in the picture)."""
    view: str = "side"
    distance_m: float = 4.0
    height_m: float = 0.9
    yaw_deg: float = 0.0
    roll_deg: float = 0.0
    focal_px: float = 1400.0
    width: int = 720
    height: int = 1280

    def rotation(self) -> np.ndarray:
        if self.view == "side":
            fwd, right = np.array([0.0, -1.0, 0.0]), np.array([-1.0, 0.0, 0.0])
        elif self.view == "front":
            fwd, right = np.array([-1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
        else:
            fwd, right = np.array([1.0, 0.0, 0.0]), np.array([0.0, -1.0, 0.0])
        down = np.cross(fwd, right)
        R = np.stack([right, down, fwd])  # rows: camera x (right), y (down), z (forward)
        yaw = np.radians(self.yaw_deg)
        Rz = np.array([[np.cos(yaw), -np.sin(yaw), 0], [np.sin(yaw), np.cos(yaw), 0], [0, 0, 1]])
        roll = np.radians(self.roll_deg)
        Rr = np.array([[np.cos(roll), -np.sin(roll), 0], [np.sin(roll), np.cos(roll), 0], [0, 0, 1]])
        return Rr @ R @ Rz.T

    def centre(self) -> np.ndarray:
        yaw = np.radians(self.yaw_deg)
        base = {"side": np.array([0.0, self.distance_m, 0.0]),
                "front": np.array([self.distance_m, 0.0, 0.0])}.get(self.view, np.array([-self.distance_m, 0, 0]))
        c, s = np.cos(yaw), np.sin(yaw)
        return np.array([c * base[0] - s * base[1], s * base[0] + c * base[1], self.height_m])

    def project(self, pts: np.ndarray) -> np.ndarray:
        """(..., 3) world points -> (..., 2) pixels."""
        p = (pts - self.centre()) @ self.rotation().T
        return np.stack([self.focal_px * p[..., 0] / p[..., 2] + self.width / 2,
                         self.focal_px * p[..., 1] / p[..., 2] + self.height / 2], axis=-1)

    def vertical_edges(self, n: int = 6) -> np.ndarray:
        """Projected segments of vertical posts standing around the runner (a door frame, a rack): what the
        scene-roll estimate measures."""
        rng = np.random.default_rng(7)
        out = []
        for k in range(n):
            along, depth = rng.uniform(-1.5, 1.5), rng.uniform(1.0, 2.5)
            base = {"side": np.array([along, -depth, 0.0]),
                    "front": np.array([-depth, along, 0.0])}.get(self.view, np.array([depth, along, 0.0]))
            seg = np.stack([base + [0, 0, 0.3], base + [0, 0, 1.9]])
            out.append(self.project(seg).ravel())
        return np.asarray(out)


def _smooth(s: np.ndarray) -> np.ndarray:
    """0 -> 1 with zero slope at both ends."""
    s = np.clip(s, 0, 1)
    return s * s * (3 - 2 * s)


def _bump(s: np.ndarray) -> np.ndarray:
    """0 at the ends of the stance, 1 in the middle, smooth."""
    s = np.clip(s, 0, 1)
    return np.sin(np.pi * s) ** 2


@dataclass
class SyntheticRun:
    """Generated joint centres (world, metres) per frame, contact times and the truth per step."""
    joints: dict[str, np.ndarray]
    fps: float
    contacts: list[tuple[str, float]]  # (foot, time s)
    stance_s: float
    # metric -> {'left', 'right'} means; pelvic drop and hip adduction relative to the standing pose
    truth: dict[str, dict[str, float]] = field(default_factory=dict)


class SyntheticRunner:
    """Generate `seconds` of treadmill running at `fps`. Results: `run_` (a SyntheticRun)."""

    def __init__(self, spec: RunnerSpec | None = None, fps: float = 60.0, seconds: float = 10.0):
        self.spec = spec or RunnerSpec()
        self.fps = fps
        self.seconds = seconds
        self.run_: SyntheticRun | None = None

    def generate(self) -> SyntheticRunner:
        sp = self.spec
        t = np.arange(int(round(self.seconds * self.fps))) / self.fps
        stride = 120.0 / sp.cadence_spm
        stance = sp.duty_factor * stride
        phase0 = {"left": 0.1 * stride, "right": 0.1 * stride + stride / 2}  # first contact times
        # pelvis: lowest at each midstance (twice per stride), a little sway towards the stance foot
        mid = phase0["left"] + stance / 2
        pz = sp.hip_height_m - sp.vertical_oscillation_m / 2 * np.cos(2 * np.pi * (t - mid) / (stride / 2))
        tilt = np.full_like(t, sp.standing_pelvic_tilt_deg)  # + right hip lower
        lat_lean = np.zeros_like(t)
        sway = 0.01 * np.cos(2 * np.pi * (t - mid) / stride)
        stance_of = {}
        for k, side in enumerate(("left", "right")):
            s = ((t - phase0[side]) % stride) / stance
            on = s <= 1
            stance_of[side] = (s, on)
            drop = sp.pelvic_drop_deg[k] * _bump(s) * on
            tilt += drop if side == "left" else -drop  # standing on the left drops the right hip
            lat = sp.lateral_lean_deg[k] * _bump(s) * on
            lat_lean += lat if side == "left" else -lat  # + towards the runner's left
        pelvis = np.stack([np.zeros_like(t), sway, pz], axis=1)
        tr = np.radians(tilt)
        half = HIP_WIDTH_M / 2
        hips = {"left": pelvis + np.stack([0 * t, half * np.cos(tr), half * np.sin(tr)], 1),
                "right": pelvis + np.stack([0 * t, -half * np.cos(tr), -half * np.sin(tr)], 1)}
        joints: dict[str, np.ndarray] = {}
        for k, side in enumerate(("left", "right")):
            joints.update(self._leg(side, k, t, stride, stance, phase0[side], hips[side], tilt))
        lean, ll = np.radians(sp.trunk_lean_deg), np.radians(lat_lean)
        sh_mid = pelvis + TRUNK_M * np.stack([np.sin(lean) * np.ones_like(t), np.sin(ll), np.cos(lean) * np.cos(ll)], 1)
        for side, sgn in (("left", 1), ("right", -1)):
            joints[f"{side[0]}_shoulder"] = sh_mid + [0, sgn * SHOULDER_WIDTH_M / 2, 0]
            swing = np.radians(30) * np.sin(2 * np.pi * (t - phase0[side]) / stride) * -1
            elbow = joints[f"{side[0]}_shoulder"] + 0.3 * np.stack([np.sin(swing), 0 * t, -np.cos(swing)], 1)
            joints[f"{side[0]}_elbow"] = elbow
            joints[f"{side[0]}_wrist"] = elbow + 0.25 * np.stack([np.cos(swing), 0 * t, np.sin(swing)], 1)
            joints[f"{side[0]}_ear"] = sh_mid + [0.0, sgn * 0.07, 0.2]
            joints[f"{side[0]}_hip"] = hips[side]
        joints["nose"] = sh_mid + [0.1, 0.0, 0.2]
        contacts = sorted((side, phase0[side] + n * stride) for side in ("left", "right")
                          for n in range(int(self.seconds / stride) + 1)
                          if phase0[side] + n * stride < t[-1] - stride / 2)
        self.run_ = SyntheticRun(joints, self.fps, sorted(contacts, key=lambda c: c[1]), stance)
        self.run_.truth = self._truth(t, stance)
        return self

    @staticmethod
    def _standing_hip_adduction(spec: RunnerSpec) -> dict[str, float]:
        J = stand(spec).joints
        out = {}
        for side, medial in (("left", -1.0), ("right", 1.0)):
            lh, rh, kn = J["l_hip"][0], J["r_hip"][0], J[f"{side[0]}_knee"][0]
            hip = lh if side == "left" else rh
            pel = rh - lh
            down = np.array([-pel[2], pel[1]])
            down = down if down[1] < 0 else -down
            fem = np.array([kn[1] - hip[1], kn[2] - hip[2]])
            ang = np.degrees(np.arctan2(down[0] * fem[1] - down[1] * fem[0], down @ fem))
            out[side] = float(medial * ang)
        return out

    def _leg(self, side: str, k: int, t, stride, stance, first, hip, tilt) -> dict[str, np.ndarray]:
        sp = self.spec
        s = ((t - first) % stride)  # time since this foot's last contact
        in_stance = s <= stance
        ss = s / stance
        sw = (s - stance) / (stride - stance)
        x_ic = sp.foot_ahead_m[k]
        x_to = x_ic - sp.belt_speed_mps * stance
        # stance: the belt carries the foot back (eased in from rest so the contact is the forward peak);
        # swing: a smooth path forward to the next contact
        ease = 0.15
        stance_x = x_ic - sp.belt_speed_mps * stance * np.where(
            ss < ease, ss ** 2 / (2 * ease), ss - ease / 2) / (1 - ease / 2)
        swing_x = x_to + (x_ic - x_to) * _smooth(sw)
        ax = np.where(in_stance, stance_x, swing_x)
        incl_ic = np.radians(sp.foot_inclination_deg[k])
        heel_rise = np.radians(-25.0)
        incl_stance = np.where(ss < 0.2, incl_ic * (1 - _smooth(ss / 0.2)),
                               np.where(ss < 0.6, 0.0, heel_rise * _smooth((ss - 0.6) / 0.4)))
        incl_swing = heel_rise + (incl_ic - heel_rise) * _smooth(sw)
        incl = np.where(in_stance, incl_stance, incl_swing)
        c, sn = np.cos(incl), np.sin(incl)
        rot = lambda p: np.stack([c * p[0] - sn * p[1], sn * p[0] + c * p[1]], 1)
        heel_rel, toe_rel = rot(HEEL_IN_FOOT), rot(TOE_IN_FOOT)
        ground_gap = -np.minimum(heel_rel[:, 1], toe_rel[:, 1])  # ankle height that keeps the foot on the floor
        lift = 0.22 * np.sin(np.pi * np.clip(sw, 0, 1)) ** 1.5
        az = ground_gap + np.where(in_stance, 0.0, lift)
        sgn = 1.0 if side == "left" else -1.0
        ay = sgn * sp.step_half_width_m[k] * np.ones_like(t)
        ankle = np.stack([ax, ay, az], 1)
        # knee: two-link solution in the sagittal plane, knee in front
        dx, dz = ankle[:, 0] - hip[:, 0], ankle[:, 2] - hip[:, 2]
        d = np.clip(np.hypot(dx, dz), 1e-6, THIGH_M + SHANK_M - 1e-6)
        a = np.arccos(np.clip((THIGH_M ** 2 + d ** 2 - SHANK_M ** 2) / (2 * THIGH_M * d), -1, 1))
        base = np.arctan2(dx, -dz)  # direction hip->ankle from straight down, + forward
        th = base + a
        kx, kz = hip[:, 0] + THIGH_M * np.sin(th), hip[:, 2] - THIGH_M * np.cos(th)
        # frontal plane: the femur turned towards the midline by the hip adduction, from the pelvis' own "down"
        add = np.radians(sp.hip_adduction_deg[k] * _bump(ss) * in_stance + 2.0)
        pel = np.radians(tilt)  # + right hip lower: the pelvis' down direction leans towards the left (+y)
        frontal = pel - sgn * add  # femur angle from vertical, + towards +y
        ky = hip[:, 1] + (hip[:, 2] - kz) * np.tan(frontal)
        knee = np.stack([kx, ky, kz], 1)
        heel = ankle + np.stack([heel_rel[:, 0], 0 * t, heel_rel[:, 1]], 1)
        toe = ankle + np.stack([toe_rel[:, 0], 0 * t, toe_rel[:, 1]], 1)
        p = side[0]
        return {f"{p}_knee": knee, f"{p}_ankle": ankle, f"{p}_heel": heel, f"{p}_toe": toe}

    # -- truth ---------------------------------------------------------------------------------------------
    def _truth(self, t: np.ndarray, stance: float) -> dict[str, dict[str, float]]:
        sp, J = self.spec, self.run_.joints
        out: dict[str, dict[str, list]] = {}
        standing_add = self._standing_hip_adduction(sp)

        def add(metric, side, v):
            out.setdefault(metric, {"left": [], "right": []})[side].append(float(v))

        def at(name, time):
            return np.array([np.interp(time, t, J[name][:, i]) for i in range(3)])

        sag = lambda v: np.array([v[0], v[2]])
        leg = np.median([np.linalg.norm(sag(J[f"{s}_hip"][i]) - sag(J[f"{s}_knee"][i]))
                         + np.linalg.norm(sag(J[f"{s}_knee"][i]) - sag(J[f"{s}_ankle"][i]))
                         for s in "lr" for i in range(0, len(t), 3)])
        for side, tc in self.run_.contacts:
            s = side[0]
            hip_mid = (at("l_hip", tc) + at("r_hip", tc)) / 2
            heel, knee, ankle, hip = at(f"{s}_heel", tc), at(f"{s}_knee", tc), at(f"{s}_ankle", tc), at(f"{s}_hip", tc)
            add("overstride_pct_leg", side, 100 * (heel[0] - hip_mid[0]) / leg)
            add("tibia_angle_deg", side, np.degrees(np.arctan2(ankle[0] - knee[0], knee[2] - ankle[2])))
            u, v = sag(hip) - sag(knee), sag(ankle) - sag(knee)
            add("knee_flexion_contact_deg", side,
                180 - np.degrees(np.arccos(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v))))
            add("foot_inclination_deg", side, sp.foot_inclination_deg["lr".index(s)])
            tm = tc + stance / 2
            sh = (at("l_shoulder", tm) + at("r_shoulder", tm)) / 2
            hm = (at("l_hip", tm) + at("r_hip", tm)) / 2
            add("trunk_lean_deg", side, np.degrees(np.arctan2(sh[0] - hm[0], sh[2] - hm[2])))
            # frontal plane, peaks over the stance
            ts = np.linspace(tc, tc + stance, 41)
            lh = np.array([at("l_hip", x) for x in ts])
            rh = np.array([at("r_hip", x) for x in ts])
            tilt = np.degrees(np.arctan2(lh[:, 2] - rh[:, 2], lh[:, 1] - rh[:, 1]))  # + right lower
            cpd = (tilt if side == "left" else -tilt) - (sp.standing_pelvic_tilt_deg if side == "left"
                                                        else -sp.standing_pelvic_tilt_deg)
            add("pelvic_drop_deg", side, cpd.max())
            hipj, kn = (lh, np.array([at(f"{s}_knee", x) for x in ts])) if side == "left" else \
                (rh, np.array([at(f"{s}_knee", x) for x in ts]))
            pel = rh - lh
            down = np.stack([-pel[:, 2], pel[:, 1]], 1)  # (y, z) of the hip line turned to point down
            down = np.where((down[:, 1] < 0)[:, None], down, -down)
            fem = np.stack([kn[:, 1] - hipj[:, 1], kn[:, 2] - hipj[:, 2]], 1)
            cross = down[:, 0] * fem[:, 1] - down[:, 1] * fem[:, 0]
            ang = np.degrees(np.arctan2(cross, (down * fem).sum(1)))
            medial = -1.0 if side == "left" else 1.0  # towards the midline in y
            add("hip_adduction_deg", side, (medial * ang).max() - standing_add[side])
        return {m: {k: float(np.mean(v)) for k, v in sides.items() if v} for m, sides in out.items()}


def _frame(x_hint: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """(T, 3, 3) orthonormal frames: first axis along `axis`, second as close to `x_hint` as possible."""
    a = axis / np.linalg.norm(axis, axis=-1, keepdims=True)
    b = x_hint - (x_hint * a).sum(-1, keepdims=True) * a
    b /= np.linalg.norm(b, axis=-1, keepdims=True)
    return np.stack([a, b, np.cross(a, b)], axis=-2)


def keypoint_offsets(joints: dict[str, np.ndarray], hip_offset_m: float, knee_offset_m: float,
                     seed: int = 0) -> dict[str, np.ndarray]:
    """Where a pose model puts the hip and knee keypoints: off the joint centres by a fixed vector in the
    segment's own frame (pelvis for hips, thigh for knees), as Needham 2021 found (30-50 mm). The same
    seed gives the same offsets for a run and for the standing pose."""
    rng = np.random.default_rng(seed)
    out = dict(joints)
    lh, rh = joints["l_hip"], joints["r_hip"]
    T = len(lh)
    fwd = np.tile([1.0, 0.0, 0.0], (T, 1))
    pelvis = _frame(fwd, lh - rh)
    for name, size in (("l_hip", hip_offset_m), ("r_hip", hip_offset_m),
                       ("l_knee", knee_offset_m), ("r_knee", knee_offset_m)):
        v = rng.normal(size=3)
        v *= size / np.linalg.norm(v)
        if not size:
            continue
        if name.endswith("hip"):
            frame = pelvis
        else:
            s = name[0]
            frame = _frame(np.tile([0.0, 1.0, 0.0], (T, 1)), joints[f"{s}_knee"] - joints[f"{s}_hip"])
        out[name] = joints[name] + np.einsum("k,tkj->tj", v, frame)
    return out


def film(run: SyntheticRun, camera: Camera, noise_px: float = 0.0, hip_offset_m: float = 0.0,
         knee_offset_m: float = 0.0, swap_frames: int = 0, seed: int = 0) -> Keypoints:
    """The run seen by `camera`, as a pose model would report it: hip and knee keypoints off the joint
    centres (`keypoint_offsets`), Gaussian pixel noise, and `swap_frames` frames with the legs' labels
    swapped."""
    joints = keypoint_offsets(run.joints, hip_offset_m, knee_offset_m, seed)
    rng = np.random.default_rng(seed + 1)
    T = len(next(iter(joints.values())))
    world = np.full((T, len(KEYPOINTS), 3), np.nan)
    for name, arr in joints.items():
        world[:, INDEX[name]] = arr
    xy = camera.project(world)
    if noise_px:
        xy += rng.normal(scale=noise_px, size=xy.shape)
    conf = np.ones(xy.shape[:2])
    if swap_frames:
        frames = rng.choice(T, size=min(swap_frames, T), replace=False)
        for j in ("knee", "ankle", "heel", "toe"):
            li, ri = INDEX[f"l_{j}"], INDEX[f"r_{j}"]
            xy[frames, li], xy[frames, ri] = xy[frames, ri].copy(), xy[frames, li].copy()
    return Keypoints(xy, conf, run.fps, camera.width, camera.height, source=f"synthetic-{camera.view}")


def stand(spec: RunnerSpec) -> SyntheticRun:
    """The same runner standing still, feet under the hips, for the posture baseline."""
    t = np.zeros(1)
    tilt = np.radians(spec.standing_pelvic_tilt_deg)
    half = HIP_WIDTH_M / 2
    hip_z = THIGH_M + SHANK_M + ANKLE_HEIGHT_M
    pelvis = np.array([[0.0, 0.0, hip_z]])
    J = {"l_hip": pelvis + [0, half * np.cos(tilt), half * np.sin(tilt)],
         "r_hip": pelvis + [0, -half * np.cos(tilt), -half * np.sin(tilt)]}
    for side, sgn in (("l", 1), ("r", -1)):
        hip = J[f"{side}_hip"][0]
        ankle = np.array([0.0, sgn * half, ANKLE_HEIGHT_M])
        knee = (hip + ankle) / 2
        J.update({f"{side}_knee": knee[None], f"{side}_ankle": ankle[None],
                  f"{side}_heel": (ankle + [HEEL_IN_FOOT[0], 0, HEEL_IN_FOOT[1]])[None],
                  f"{side}_toe": (ankle + [TOE_IN_FOOT[0], 0, TOE_IN_FOOT[1]])[None]})
    sh = pelvis + [0, 0, TRUNK_M]
    for side, sgn in (("l", 1), ("r", -1)):
        J[f"{side}_shoulder"] = sh + [0, sgn * SHOULDER_WIDTH_M / 2, 0]
        J[f"{side}_elbow"] = J[f"{side}_shoulder"] + [0, sgn * 0.05, -0.3]
        J[f"{side}_wrist"] = J[f"{side}_elbow"] + [0, 0, -0.25]
        J[f"{side}_ear"] = sh + [0, sgn * 0.07, 0.2]
    J["nose"] = sh + [0.1, 0, 0.2]
    del t
    return SyntheticRun(J, 1.0, [], 0.0)
