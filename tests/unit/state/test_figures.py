"""The city's figures, computed once from a state view and named for the audit."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from pantau.state.compute import city_figures
from pantau.state.named import named_figures
from streams.show import dimension_table
from tests.unit.state.test_folds import PROFILE, REFERENCE

TODAY = date(2026, 11, 23)  # the reference feed's first day


def test_the_demo_city_figures_per_dimension_and_for_the_city() -> None:
    figures = city_figures(REFERENCE, PROFILE, TODAY)
    assert [d.key for d in figures.dimensions] == [d.key.value for d in PROFILE.dimensions]
    environment = figures.dimension("environment")
    assert (environment.programs.completed, environment.programs.planned) == (6, 7)
    assert environment.programs.realization_pct == 85.71
    living = figures.dimension("living").headline
    assert living is not None and living.key == "stunting-prevalence"
    assert (living.value, living.target, living.on_target) == (2.26, 2.0, False)
    assert figures.complaints.open == sum(d.complaints.open for d in figures.dimensions)
    assert figures.complaints.received_today > 0
    assert sum(f.open for f in figures.kelurahan.values()) == figures.complaints.open
    assert figures.programs.planned == sum(d.programs.planned for d in figures.dimensions)


def test_the_wall_s_reading_leaves_out_the_groups_and_nothing_else() -> None:
    full = city_figures(REFERENCE, PROFILE, TODAY)
    wall = city_figures(REFERENCE, PROFILE, TODAY, groups=False)
    assert (wall.categories, wall.kelurahan, wall.agencies) == ({}, {}, {})
    assert wall.dimensions == full.dimensions and wall.complaints == full.complaints
    # The map's tiles, read as one field of each kelurahan's aggregate, say what the
    # kelurahan's full figures say.
    assert wall.areas == full.areas
    assert {k: a.open for k, a in wall.areas.items()} == {
        k: f.open for k, f in full.kelurahan.items()
    }
    assert list(wall.areas) == [kel.key for kec in PROFILE.kecamatan for kel in kec.kelurahan]
    assert sum(a.open for a in wall.areas.values()) == wall.complaints.open > 0
    assert city_figures(REFERENCE, PROFILE, TODAY, groups=False, areas=False).areas == {}


def test_every_figure_has_a_name_and_labels_have_none() -> None:
    figures = city_figures(REFERENCE, PROFILE, TODAY)
    named = named_figures(figures)
    headline = figures.dimension("living").headline
    assert headline is not None
    assert named["living.headline.change"] == headline.change
    assert named["living.headline.target"] == 2.0
    assert named["living.headline.on_target"] is False
    assert named["environment.programs.realization_pct"] == 85.71
    assert named["environment.programs.by_status.running"] == 1
    assert named["city.complaints.open"] == figures.complaints.open
    kelurahan = next(iter(figures.kelurahan))
    assert named[f"kelurahan.{kelurahan}.complaints.open"] == figures.kelurahan[kelurahan].open
    assert named["area.sentanan.open"] == figures.areas["sentanan"].open
    assert not any(name.endswith((".key", ".label.id", ".label.en")) for name in named)
    # One name per leaf: complaints 9 figures per group, programs 5 and each status per
    # dimension, indicators 8 (unit, period, value, previous, change, target, distance,
    # on target) for each reading indicator and again for each dimension's headline,
    # and 1 for each tile of the map.
    groups = 1 + len(figures.dimensions) + len(figures.categories) + len(figures.kelurahan)
    groups += len(figures.agencies)
    statuses = sum(len(d.programs.by_status) for d in figures.dimensions)
    headlines = sum(d.headline is not None for d in figures.dimensions)
    expected = 9 * groups + 3 + 5 * len(figures.dimensions) + statuses
    expected += 8 * (len(figures.indicators) + headlines) + len(figures.areas)
    assert len(named) == expected


def test_pantau_state_prints_the_structure() -> None:
    console = Console(width=250, record=True)
    console.print(dimension_table(city_figures(REFERENCE, PROFILE, TODAY, groups=False)))
    text = console.export_text()
    assert "6/7 (85.71 %)" in text
    assert "2.26 % (2023-09)" in text and "target 2 (off target)" in text
