from conftest import CATALOGS


def test_check_bundled_kunqu_is_clean(onegrid):
    result = onegrid("check", CATALOGS / "kunqu")
    assert result.code == 0, result.out
    assert result.out == ""


def test_check_without_packs_is_a_usage_error(onegrid):
    assert onegrid("check").code == 2


def test_missing_pack_is_reported(onegrid, tmp_path):
    result = onegrid("check", tmp_path / "nope", "--lang", "en")
    assert result.code == 1
    assert "error[not-a-pack]" in result.out


def test_internal_error_prints_one_line_and_logs(onegrid, monkeypatch, tmp_path):
    import onegrid.cli.check as check_module

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setenv("ONEGRID_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(check_module, "check_pack", boom)
    result = onegrid("check", CATALOGS / "kunqu", "--lang", "en")
    assert result.code == 70
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert "internal error" in lines[0] and "kaput" in lines[0]
    assert "Traceback" in (tmp_path / "errors.log").read_text()
