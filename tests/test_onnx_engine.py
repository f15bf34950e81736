"""The ONNX Runtime engine on a tiny random model: int8 export, and many replies spread over lanes score
exactly as one reply at a time does."""
from __future__ import annotations

import pytest

from replycoach import Coach

REPLIES = ["I cannot help you with that from here.", "Refund sent today.", "",
           "I'm so sorry about the wait. I have reissued order #4471 and you will get tracking by 5pm.",
           "As I already said, it's company policy.", "Thanks for waiting! Your new card ships on Monday.",
           "Please read the FAQ.", "We have no record of that order, sorry."] * 3


@pytest.fixture(scope="module")
def tiny_onnx(tiny_scorer, tmp_path_factory):
    pytest.importorskip("onnxruntime")
    import copy

    from replycoach.model.export import export_onnx

    path = export_onnx(copy.deepcopy(tiny_scorer.net), tmp_path_factory.mktemp("onnx") / "tiny.int8.onnx")
    return path, tiny_scorer.cfg


def test_lanes_score_exactly_as_one_reply_at_a_time(tiny_onnx):
    from replycoach.model.onnx_engine import OnnxScorer

    path, cfg = tiny_onnx
    serial, spread = OnnxScorer(path, cfg, lanes=1), OnnxScorer(path, cfg, lanes=3)
    live = [r for r in REPLIES if r]
    a, b = serial.score(live, [None] * len(live)), spread.score(live, [None] * len(live))
    assert spread._lane_session is not None  # the lanes really ran
    assert a == b
    assert [serial.score([r], [None])[0] for r in live[:4]] == b[:4]  # order kept


def test_a_batch_job_can_release_the_all_cores_session(tiny_onnx):
    from replycoach.model.onnx_engine import OnnxScorer

    path, cfg = tiny_onnx
    live = [r for r in REPLIES if r]
    scorer = OnnxScorer(path, cfg, lanes=2)
    before = scorer.score(live, [None] * len(live))
    single = scorer.score(live[:1], [None])
    scorer.release_single()
    assert scorer.session is None and scorer._lane_session is not None
    assert scorer.score(live, [None] * len(live)) == before
    assert scorer.score(live[:1], [None]) == single  # a handful runs on the lanes' session: same scores
    assert scorer.session is None  # ... without reopening the all-cores one
    one_core = OnnxScorer(path, cfg, lanes=1)
    one_core.release_single()  # no lanes: nothing to release
    assert one_core.session is not None


def test_the_file_audit_releases_the_all_cores_session(tiny_onnx, tmp_path):
    from replycoach.audit import run_audit
    from replycoach.model.onnx_engine import OnnxScorer

    path, cfg = tiny_onnx
    coach = Coach(model=OnnxScorer(path, cfg, lanes=2))
    src = tmp_path / "replies.csv"
    src.write_text("reply\n" + "\n".join(r for r in REPLIES if r and "," not in r and '"' not in r) + "\n", encoding="utf-8")
    res = run_audit(src, tmp_path / "out", coach)
    assert res.ok == res.rows_in > 0
    assert coach.scorer.session is None


def test_check_many_on_lanes_equals_check(tiny_onnx):
    from replycoach.model.onnx_engine import OnnxScorer

    path, cfg = tiny_onnx
    coach = Coach(model=OnnxScorer(path, cfg, lanes=2))
    customers = [None if i % 2 else "Where is my parcel? This is the third time I ask!" for i in range(len(REPLIES))]
    many = coach.check_many(REPLIES, customers)
    assert [r.reply for r in many] == REPLIES
    assert many == [coach.check(r, customer=c) for r, c in zip(REPLIES, customers)]
    assert many[2].verdict == "review" and many[2].findings[0].id == "input.empty"


def test_lane_errors_reach_the_caller(tiny_onnx):
    from replycoach.model.onnx_engine import OnnxScorer

    path, cfg = tiny_onnx
    spread = OnnxScorer(path, cfg, lanes=2)

    def boom(part):
        raise ValueError(f"bad part of {len(part)}")

    with pytest.raises(ValueError, match="bad part of 5"):  # raised on a lane (5 of the 10 items), not serially (10)
        spread.map(boom, list(range(10)))


def test_layernorm_stays_unfused_in_the_file_and_the_session(tiny_onnx, tmp_path, monkeypatch):
    """The recipe keeps Add + LayerNormalization (ONNX Runtime's SkipLayerNormalization kernel is ~5x slower on CPU),
    in the exported file and in the session, where ONNX Runtime would otherwise fuse them again at start."""
    import onnx
    import onnxruntime as ort

    from replycoach.model.export import RUNTIME_DISABLED
    from replycoach.model.onnx_engine import open_session

    path, _ = tiny_onnx
    ops = {n.op_type for n in onnx.load(str(path)).graph.node}
    assert "LayerNormalization" in ops and "SkipLayerNormalization" not in ops

    def optimised_ops(disabled: list[str]) -> set[str]:
        opts = ort.SessionOptions()
        opts.optimized_model_filepath = str(tmp_path / "optimised.onnx")
        ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"], disabled_optimizers=disabled)
        return {n.op_type for n in onnx.load(opts.optimized_model_filepath).graph.node}

    assert "SkipLayerNormalization" in optimised_ops([])  # what ONNX Runtime does unless told not to
    assert "SkipLayerNormalization" not in optimised_ops(RUNTIME_DISABLED)
    seen: dict = {}
    real = ort.InferenceSession
    monkeypatch.setattr(ort, "InferenceSession", lambda *a, **k: seen.update(k) or real(*a, **k))
    open_session(path, threads=1)
    assert seen["disabled_optimizers"] == RUNTIME_DISABLED


def test_a_fresh_build_prunes_only_the_same_models_older_graphs(tmp_path, monkeypatch):
    from replycoach.model import export

    monkeypatch.setenv("REPLYCOACH_CACHE", str(tmp_path))
    key = "replycoach-minilm-0.1.0-0d33fd46b2eceb8f"
    current = tmp_path / f"{key}-{export.RECIPE}"
    kept = [current, tmp_path / "replycoach-minilm-0.1.0-51203bc2befc23ef-fused-v1", tmp_path / "my-model-2.0-0d33fd46b2eceb8f-fused-v1"]
    stale = [tmp_path / key, tmp_path / f"{key}-fused-v1", tmp_path / f"{key}-fused-v0"]
    for d in kept + stale:
        d.mkdir()
        (d / "model.int8.onnx").write_bytes(b"x")
    (tmp_path / f"{key}-fused-v1.txt").write_text("not a graph folder")
    assert sorted(export.prune_stale(current, key)) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([d.name for d in kept] + [f"{key}-fused-v1.txt"])


def test_build_onnx_prunes_after_a_build_not_on_reuse(tmp_path, monkeypatch):
    from replycoach.model import export, network
    from replycoach.model.base import ModelConfig

    monkeypatch.setenv("REPLYCOACH_CACHE", str(tmp_path))
    cfg = ModelConfig.model_construct(name="m", version="1", files={"delta.safetensors": "ab" * 32})
    old = tmp_path / f"m-1-{'ab' * 8}-fused-v1"
    old.mkdir()

    def fake_export(net, out, quantize):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"graph")
        return out

    monkeypatch.setattr(network, "load_trained", lambda model_dir, cfg: None)
    monkeypatch.setattr(export, "export_onnx", fake_export)
    path = export.build_onnx(tmp_path / "model", cfg)
    assert path.read_bytes() == b"graph" and not old.exists()
    old.mkdir()
    assert export.build_onnx(tmp_path / "model", cfg) == path and old.exists()  # reuse touches nothing


def test_a_damaged_cached_graph_is_rebuilt_once_then_a_clear_error(tiny_scorer, tiny_onnx, tmp_path, monkeypatch):
    import shutil

    from safetensors.torch import save_file

    from replycoach import ModelError
    from replycoach.model import export, loading

    model_dir = tmp_path / "model"
    model_dir.mkdir()
    save_file(tiny_scorer.net.delta_state(), str(model_dir / "delta.safetensors"))
    cfg = tiny_scorer.cfg.model_copy(update={"files": {"delta.safetensors": loading.sha256(model_dir / "delta.safetensors")}})
    (model_dir / "config.json").write_text(cfg.model_dump_json())
    cached = tmp_path / "cache" / "model.int8.onnx"
    cached.parent.mkdir()
    cached.write_bytes(tiny_onnx[0].read_bytes()[:1000])  # a truncated cache file
    builds = []

    def build(md, c, quantize=True):
        if not cached.is_file():
            builds.append(md)
            shutil.copy(tiny_onnx[0], cached)
        return cached

    monkeypatch.setattr(export, "build_onnx", build)
    scorer = loading.load_scorer(model_dir, "onnx")
    assert builds == [model_dir] and len(scorer.score(["Refund sent today."], [None])) == 1

    def broken(md, c, quantize=True):
        cached.write_bytes(b"not a graph")
        return cached

    monkeypatch.setattr(export, "build_onnx", broken)
    with pytest.raises(ModelError, match="cannot load the graph rebuilt from .*Coach\\(engine='torch'\\)"):
        loading.load_scorer(model_dir, "onnx")


def test_first_use_build_keeps_exporter_noise_out_of_the_callers_output(capsys, recwarn):
    import logging
    import warnings

    from transformers.utils import logging as hf_logging

    from replycoach.model.export import _quiet

    level = logging.getLogger().level
    with _quiet():
        warnings.warn("TracerWarning: might cause the trace to be incorrect")
        logging.getLogger().warning("Please consider to run pre-processing before quantization")
        assert not hf_logging.is_progress_bar_enabled()
    assert len(recwarn) == 0 and "quantization" not in capsys.readouterr().err
    assert logging.getLogger().level == level and hf_logging.is_progress_bar_enabled()  # restored after
    assert not logging.getLogger().filters


def test_first_use_build_leaves_the_host_applications_own_logging_alone(caplog):
    """A helpdesk plugin's named loggers keep logging at their levels while a first-use build runs (before, the root
    logger's level was raised to ERROR for the whole process during the build)."""
    import logging

    from replycoach.model.export import _quiet

    with caplog.at_level(logging.INFO), _quiet():
        logging.getLogger("helpdesk.plugin").info("ticket 4411 checked")
        logging.getLogger("helpdesk.plugin").warning("agent draft flagged")
        logging.getLogger().error("root errors still show")
    assert [r.getMessage() for r in caplog.records] == ["ticket 4411 checked", "agent draft flagged", "root errors still show"]


def test_an_unwritable_cache_is_a_clear_error(tmp_path, monkeypatch):
    import errno

    from replycoach import ModelError
    from replycoach.model import export, network
    from replycoach.model.base import ModelConfig

    cfg = ModelConfig.model_construct(name="m", version="1", files={"delta.safetensors": "ab" * 32})
    monkeypatch.setattr(network, "load_trained", lambda model_dir, cfg: None)
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("REPLYCOACH_CACHE", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(ModelError, match="cannot write the ONNX graph cache.*REPLYCOACH_CACHE"):
        export.build_onnx(tmp_path / "model", cfg)

    def full(net, out, quantize):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setenv("REPLYCOACH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(export, "export_onnx", full)
    with pytest.raises(ModelError, match="No space left on device"):
        export.build_onnx(tmp_path / "model", cfg)
