from datetime import date
from pathlib import Path

import pytest

from pantau.contract.city import CityProfile, load_city_profile
from pantau.contract.dimensions import Dimension
from pantau.contract.errors import ContractError
from pantau.contract.events import event_from_mapping
from tests.factories import complaint_document, indicator_document, program_document


@pytest.fixture(scope="module")
def mojokerto() -> CityProfile:
    return load_city_profile("mojokerto")


def test_mojokerto_has_its_areas_dimensions_and_time_zone(mojokerto: CityProfile) -> None:
    assert [k.name for k in mojokerto.kecamatan] == ["Kranggan", "Magersari", "Prajurit Kulon"]
    assert sum(len(k.kelurahan) for k in mojokerto.kecamatan) == 18
    assert {d.key for d in mojokerto.dimensions} == set(Dimension)
    assert mojokerto.timezone.key == "Asia/Jakarta"
    labels = {d.key: d.label_id for d in mojokerto.dimensions}
    assert labels[Dimension.ENVIRONMENT] == "Smart Environment (Lingkungan)"


def test_every_dimension_has_complaint_categories_and_indicators(mojokerto: CityProfile) -> None:
    for dimension in Dimension:
        assert any(c.dimension == dimension for c in mojokerto.categories), dimension
        assert any(i.dimension == dimension for i in mojokerto.indicators), dimension
    stunting = mojokerto.indicator_by_key["stunting-prevalence"]
    assert (stunting.unit, stunting.direction, stunting.data_source) == (
        "%",
        "lower_is_better",
        "E-PPBGM",
    )


def test_events_the_city_knows_pass(mojokerto: CityProfile) -> None:
    for document in (complaint_document(), program_document(), indicator_document()):
        event = event_from_mapping(document)
        assert mojokerto.check(event) is event


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (complaint_document(category="ufo-sighting"), "category"),
        (complaint_document(dimension="economy"), "dimension"),
        (complaint_document(kelurahan="menteng"), "kelurahan"),
        (complaint_document(kecamatan="kranggan"), "kecamatan"),
        (complaint_document(agency="dinas-antah"), "agency"),
        (program_document(agency="dinas-antah"), "agency"),
        (indicator_document(indicator_id="gdp-per-capita"), "indicator_id"),
        (indicator_document(dimension="economy"), "dimension"),
    ],
)
def test_events_naming_what_the_city_lacks_are_rejected_by_field(
    mojokerto: CityProfile,
    document: dict[str, object],
    field: str,
) -> None:
    event = event_from_mapping(document)
    with pytest.raises(ContractError) as raised:
        mojokerto.check(event)
    assert field in raised.value.fields


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "city.yaml"
    broken.write_text("city:\n  key: x\n  name: [unclosed\n")
    with pytest.raises(ContractError) as raised:
        load_city_profile(str(broken))
    assert raised.value.fields[0].startswith("line 4")
    assert str(broken) in str(raised.value)


def test_a_profile_with_an_unknown_agency_names_the_category(tmp_path: Path) -> None:
    source = Path("pantau/contract/cities/mojokerto.yaml").read_text()
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        source.replace("agency: dlh, label_id: Pohon", "agency: dkp, label_id: Pohon")
    )
    with pytest.raises(ContractError, match="category pohon-tumbang: unknown agency 'dkp'"):
        load_city_profile(str(edited))


def test_a_missing_profile_says_so(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="no such file"):
        load_city_profile(str(tmp_path / "nowhere.yaml"))


def test_spike_detection_is_configured_in_the_profile(tmp_path: Path) -> None:
    from pantau.detection.spike import policy_for

    policy = policy_for(load_city_profile("mojokerto"))
    assert (policy.windows, policy.min_count, policy.fire_below) == ((5, 10, 15), 6, 1e-6)
    assert policy.cusum is not None and policy.cusum.threshold == 10.0
    source = Path("pantau/contract/cities/mojokerto.yaml").read_text()
    edited = tmp_path / "strict.yaml"
    edited.write_text(source.replace("min_count: 6", "min_count: 12"))
    assert policy_for(load_city_profile(str(edited))).min_count == 12
    edited.write_text(source.replace("fire_below: 0.000001", "fire_below: 2"))
    with pytest.raises(ContractError) as raised:
        load_city_profile(str(edited))
    assert raised.value.fields == ["spike_detection.fire_below"]


def test_complaint_ids_take_the_city_prefix() -> None:
    city = load_city_profile("mojokerto").city
    assert city.new_complaint_id(date(2026, 11, 27), "3f9a0c1d") == "MJK-20261127-3f9a0c1d"
    other = city.model_copy(update={"complaint_prefix": "SBY"})
    assert other.new_complaint_id(date(2026, 11, 27), "1").startswith("SBY-20261127-")


def test_every_kelurahan_of_mojokerto_has_a_tile_of_its_own_where_it_lies(
    mojokerto: CityProfile,
) -> None:
    tiles = {kel.key: (kel.tile.row, kel.tile.col) for k in mojokerto.kecamatan
             for kel in k.kelurahan}  # fmt: skip
    assert len(set(tiles.values())) == len(tiles) == 18
    columns = {k.key: {kel.tile.col for kel in k.kelurahan} for k in mojokerto.kecamatan}
    # Magersari is the east of the city; Prajurit Kulon reaches furthest north-west.
    assert min(columns["magersari"]) > max(columns["prajurit-kulon"] | columns["kranggan"])
    assert tiles["surodinawan"] == (0, 0)
    assert tiles["wates"][1] == max(col for _, col in tiles.values())


def _kelurahan_line(source: str, key: str) -> str:
    return next(line for line in source.splitlines() if f"{{key: {key}," in line)


def test_a_kelurahan_without_a_tile_is_refused_by_field(tmp_path: Path) -> None:
    source = Path("pantau/contract/cities/mojokerto.yaml").read_text()
    line = _kelurahan_line(source, "meri")
    edited = tmp_path / "untiled.yaml"
    edited.write_text(source.replace(line, "      - {key: meri, name: Meri}"))
    with pytest.raises(ContractError) as raised:
        load_city_profile(str(edited))
    assert raised.value.fields == ["kecamatan.0.kelurahan.2.tile"]


def test_two_kelurahan_on_one_tile_are_named(tmp_path: Path) -> None:
    source = Path("pantau/contract/cities/mojokerto.yaml").read_text()
    line = _kelurahan_line(source, "meri")
    edited = tmp_path / "stacked.yaml"
    edited.write_text(
        source.replace(line, "      - {key: meri, name: Meri, tile: {row: 2, col: 2}}")
    )
    with pytest.raises(ContractError, match="kelurahan jagalan and meri are both on the map's "
                       "tile at row 2, column 2"):  # fmt: skip
        load_city_profile(str(edited))


@pytest.mark.parametrize("tile", ["{row: -1, col: 0}", "{row: 0, col: 40}", "{row: 1}"])
def test_a_tile_off_the_grid_is_refused(tmp_path: Path, tile: str) -> None:
    source = Path("pantau/contract/cities/mojokerto.yaml").read_text()
    line = _kelurahan_line(source, "meri")
    edited = tmp_path / "off.yaml"
    edited.write_text(source.replace(line, f"      - {{key: meri, name: Meri, tile: {tile}}}"))
    with pytest.raises(ContractError) as raised:
        load_city_profile(str(edited))
    assert all(f.startswith("kecamatan.0.kelurahan.2.tile") for f in raised.value.fields)


def test_a_kelurahan_key_is_the_city_s_only_one_of_that_name(tmp_path: Path) -> None:
    source = Path("pantau/contract/cities/mojokerto.yaml").read_text()
    line = _kelurahan_line(source, "wates")
    edited = tmp_path / "twice.yaml"
    edited.write_text(source.replace(line, line.replace("key: wates", "key: meri")))
    with pytest.raises(ContractError, match="kelurahan: repeated keys meri"):
        load_city_profile(str(edited))
