"""The map's search box: places by name, address or code, within the user's areas."""


def search(world, role, q):
    response = world.client(role).get("/api/v1/search/", {"q": q})
    assert response.status_code == 200
    return response.json()


def test_finds_buildings_by_name_and_address_with_their_extent(world):
    (hit,) = [r for r in search(world, "admin", "楼bA") if r["kind"] == "building"]
    assert hit["id"] == world.buildings["bA"].pk and hit["detail"] == "盘龙路bA号"
    assert hit["bbox"] == [102.705, 25.01, 102.7054, 25.0104]
    assert [r["label"] for r in search(world, "admin", "盘龙路bF") if r["kind"] == "building"] == ["楼bF"]


def test_finds_areas_by_code_prefix(world):
    labels = {r["label"] for r in search(world, "admin", "5301030010") if r["kind"] == "area"}
    assert labels == {"拓东街道", "社区一", "社区二", "网格A", "网格B", "网格E"}


def test_results_are_scoped(world):
    assert [r for r in search(world, "leader_b", "楼bA")] == []
    assert {r["label"] for r in search(world, "leader_b", "网格")} == {"网格B"}


def test_short_queries_find_nothing(world):
    assert search(world, "admin", "楼") == []
