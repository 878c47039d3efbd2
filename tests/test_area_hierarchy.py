"""The area hierarchy: levels, codes, containment in the parent, no overlapping siblings."""
import pytest
from django.core.exceptions import ValidationError

from gis_core import services
from gis_core.models import Area, AreaLevel
from gis_core.selectors import area_ancestors
from tests.helpers import box


def errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_world_builds_the_four_levels(world):
    assert {a.level for a in Area.objects.all()} == {AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY,
                                                    AreaLevel.GRID}
    assert world.areas["A"].parent == world.areas["C1"]
    assert world.areas["A"].prefix == "530103001001001"
    assert world.areas["S1"].prefix == "530103001"


def test_ancestors_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        chain = area_ancestors(world.areas["A"])
    assert [a.code for a in chain] == ["530103000000", "530103001000", "530103001001"]


def test_child_outside_parent_is_refused_naming_both(world):
    with pytest.raises(ValidationError) as exc:
        services.area_create(code="530103001001003", name="越界网格", level=AreaLevel.GRID,
                             parent=world.areas["C1"], boundary=box(102.725, 25.00, 102.74, 25.01))
    message = errors(exc)["boundary"][0]
    assert "越界网格" in message and "社区一" in message and "530103001001" in message
    assert not Area.objects.filter(code="530103001001003").exists()


def test_small_digitising_noise_is_tolerated(world):
    # 0.000005° ≈ 0.5 m past the community edge, under the 1 m tolerance; overlaps nothing.
    services.area_update(area=world.areas["B"], boundary=box(102.715, 25.00, 102.730005, 25.03))
    assert Area.objects.get(code="530103001001002").boundary.extent[2] == pytest.approx(102.730005)


def test_overlapping_cells_are_refused_naming_both(world):
    with pytest.raises(ValidationError) as exc:
        services.area_update(area=world.areas["B"], boundary=box(102.712, 25.00, 102.73, 25.03))
    message = errors(exc)["boundary"][0]
    assert "网格B" in message and "网格A" in message and "m²" in message
    world.areas["B"].refresh_from_db()
    assert world.areas["B"].boundary.extent[0] == pytest.approx(102.715)


def test_shrinking_a_parent_below_its_children_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.area_update(area=world.areas["C1"], boundary=box(102.70, 25.00, 102.72, 25.03))
    assert "网格B" in errors(exc)["boundary"][0]


@pytest.mark.parametrize("code, level, parent, field", [
    ("530103001001", AreaLevel.GRID, "C1", "code"),        # a grid code has 15 digits
    ("530104001001009", AreaLevel.GRID, "C1", "code"),     # does not extend its parent's code
    ("530103001001000", AreaLevel.GRID, "C1", "code"),     # own segment all zeros
    ("530103001009", AreaLevel.COMMUNITY, "C1", "parent"),  # a community's parent is a street
    ("5301030010x1", AreaLevel.COMMUNITY, "S1", "code"),
])
def test_bad_codes_and_levels(world, code, level, parent, field):
    with pytest.raises(ValidationError) as exc:
        services.area_create(code=code, name="x", level=level, parent=world.areas[parent],
                             boundary=box(102.70, 25.00, 102.701, 25.001))
    assert field in errors(exc)


def test_self_intersecting_boundary_is_refused_with_reason(world):
    from django.contrib.gis.geos import GEOSGeometry

    bowtie = GEOSGeometry("SRID=4326;POLYGON((102.70 25.00, 102.71 25.01, 102.71 25.00, 102.70 25.01, 102.70 25.00))")
    with pytest.raises(ValidationError) as exc:
        services.area_update(area=world.areas["A"], boundary=bowtie)
    assert "Self-intersection" in errors(exc)["boundary"][0]


def test_wrong_srid_is_refused(world):
    projected = box(11434000, 2880000, 11435000, 2881000)
    projected.srid = 3857
    with pytest.raises(ValidationError) as exc:
        services.area_update(area=world.areas["A"], boundary=projected)
    assert "EPSG:4326" in errors(exc)["boundary"][0]


def test_projected_coordinates_without_srid_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.area_update(area=world.areas["A"], boundary=box(500000, 2770000, 500100, 2770100))
    assert "range" in errors(exc)["boundary"][0]


def test_deleting_an_area_with_children_is_refused(world):
    with pytest.raises(ValidationError):
        services.area_delete(area=world.areas["C1"])
    assert Area.objects.filter(pk=world.areas["C1"].pk).exists()
