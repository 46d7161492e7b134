"""Bad input for the Comtrade and BACI readers: one readable DataError naming file, line, column and rule."""

from __future__ import annotations

import pytest

from helpers.errors import DataError, ParameterError
from helpers.official import read_flows
from tests.fixtures import COMTRADE_HEADER, baci_folder, comtrade_row, write

GOOD_BACI = [[2022, 364, 368, "010121", 1.5, 2], [2022, 368, 364, "270900", 3.0, 1]]


def baci_with(tmp_path, rows):
    return baci_folder(tmp_path / "baci", {2022: rows})


CASES = [
    ("header-only", lambda p: write(p / "c.csv", COMTRADE_HEADER, []), "header only"),
    (
        "semicolons",
        lambda p: (p / "c.csv").write_text(
            ";".join(COMTRADE_HEADER) + "\n" + ";".join(map(str, comtrade_row())) + "\n"
        ),
        "not recognised",
    ),
    ("thousands-separator", lambda p: write(p / "c.csv", COMTRADE_HEADER, [comtrade_row(value="1,000")]), "line 2"),
    ("currency-sign", lambda p: write(p / "c.csv", COMTRADE_HEADER, [comtrade_row(value="$100")]), "line 2"),
    ("negative", lambda p: write(p / "c.csv", COMTRADE_HEADER, [comtrade_row(value=-5)]), "line 2"),
    (
        "not-utf8",
        lambda p: (p / "c.csv").write_bytes(
            (",".join(COMTRADE_HEADER) + "\n").encode()
            + ",".join(map(str, comtrade_row(value="1\xe9"))).encode("latin-1")
            + b"\n"
        ),
        "line 2",
    ),
]


@pytest.mark.parametrize("case, build, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_comtrade_files(tmp_path, case, build, fragment):
    build(tmp_path)
    with pytest.raises(DataError) as err:
        read_flows(tmp_path / "c.csv", "IRN", "IRQ")
    assert str(err.value).startswith("c.csv")
    assert fragment in str(err.value)


def test_bad_baci_rows(tmp_path):
    folder = baci_with(tmp_path, [*GOOD_BACI, [2022, 364, 368, "010122", "1 000", 2]])
    with pytest.raises(DataError, match="line 4, column 'v'"):
        read_flows(folder, "IRN", "IRQ")


def test_baci_header_only(tmp_path):
    folder = baci_with(tmp_path, [])
    with pytest.raises(DataError, match="header only"):
        read_flows(folder, "IRN", "IRQ")


def test_huge_garbage_file_is_refused_after_a_bounded_read(tmp_path, monkeypatch):
    import builtins

    path = tmp_path / "garbage.csv"
    with open(path, "wb") as fh:
        fh.truncate(2 * 1024**3)  # 2 GB of zero bytes, sparse on disk
    sizes = []
    real_open = builtins.open

    class Counting:
        def __init__(self, fh):
            self.fh = fh

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return self.fh.__exit__(*a)

        def readline(self, limit=-1):
            line = self.fh.readline(limit)
            sizes.append(len(line))
            return line

    monkeypatch.setattr(
        builtins, "open", lambda *a, **k: Counting(real_open(*a, **k)) if str(a[0]) == str(path) else real_open(*a, **k)
    )
    with pytest.raises(DataError, match="not recognised|blank"):
        read_flows(path, "IRN", "IRQ")
    assert sum(sizes) <= 1 << 20  # at most one MiB read, whatever the file's size


def test_unknown_country_codes_are_refused(tmp_path):
    folder = baci_with(tmp_path, GOOD_BACI)
    with pytest.raises((ParameterError, DataError, ValueError), match="XYZ"):
        read_flows(folder, "XYZ", "IRQ")


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.fixtures import apply_damage, mutation  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["comtrade", "baci"])
def test_random_damage_to_downloads_loads_or_raises_the_projects_error(tmp_path, kind, monkeypatch):
    import warnings

    from helpers.errors import CollectionError

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    if kind == "comtrade":
        rows = [comtrade_row(cmd=c, value=v, flow=f) for c, v, f in (("01", 10, "X"), ("27", 20, "X"), ("01", 5, "M"))]
        src = write(tmp_path / "src.csv", COMTRADE_HEADER, rows)
    else:
        src = baci_with(tmp_path, GOOD_BACI) / "BACI_HS17_Y2022_V202501.csv"
    original = src.read_text(encoding="utf-8")
    target = src if kind == "baci" else tmp_path / "c.csv"

    @settings(
        deadline=None, derandomize=True, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(mutation, min_size=1, max_size=4))
    def check(muts):
        target.write_bytes(apply_damage(original, muts).encode("utf-8", errors="surrogatepass"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                flows = read_flows(target if kind == "comtrade" else target.parent, "IRN", "IRQ")
            except CollectionError:
                return
        assert set(flows.columns) >= {"year", "exporter", "importer", "value_usd"}

    check()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["stored", "deflated"])
def test_random_damage_to_a_zip_archive_loads_or_raises_the_projects_error(tmp_path, method, monkeypatch):
    import warnings
    import zipfile

    from helpers.errors import CollectionError
    from helpers.official import download_countries
    from tests.fixtures.official_layouts import baci_zip

    monkeypatch.setenv("COLLECTION_FLOW_CACHE", "off")
    compression = zipfile.ZIP_STORED if method == "stored" else zipfile.ZIP_DEFLATED
    original = baci_zip(tmp_path / "src.zip", {2022: GOOD_BACI}, method=compression).read_bytes()
    target = tmp_path / "baci.zip"
    damage = st.one_of(
        st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255)),
        st.tuples(st.just("delete"), st.integers(0, 10**6)),
        st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    )

    @settings(
        deadline=None, derandomize=True, max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(damage, min_size=1, max_size=3))
    def check(muts):
        raw = bytearray(original)
        for kind, at, *more in muts:
            if not raw:
                break
            at %= len(raw)
            if kind == "flip":
                raw[at] ^= more[0]
            elif kind == "delete":
                del raw[at]
            else:
                del raw[at:]
        target.write_bytes(bytes(raw))
        for read in (lambda: read_flows(target, "IRN", "IRQ"), lambda: download_countries(target)):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    read()
                except CollectionError:
                    pass

    check()
