"""Synthetic geography of the demo district: the area hierarchy, buildings with their
footprints and houses, organizations and key sites.

Pure functions of a seed (numpy + shapely 2, no database). Everything is laid out in
local metres east/north of the district centre and converted to WGS84 longitude/latitude
at the end (``to_lonlat``).

The 20 × 10 grid cells are quadrilaterals on a lattice of jittered nodes, with a few
extra vertices along each edge; neighbours use the very same edge vertices, so unions
of cells (communities, streets, the district) are clean and siblings never overlap.
Buildings are packed in rows inside each cell through the bilinear map of the cell's
quadrilateral, so they follow the cell's local axis and stay strictly inside it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from assets.identity import credit_code_check_char
from demo import DISTRICT_CODE, DISTRICT_NAME, rng_for
from demo.population import contacts
from gis_core.spatial import metres_per_degree

CENTRE_LON, CENTRE_LAT = 102.72, 25.04
COLS, ROWS = 20, 10
CELL_W, CELL_H = 600.0, 800.0    # metres: the lattice covers 12 km × 8 km
NODE_JITTER = 0.16               # lattice nodes move up to this fraction of a cell
EDGE_POINTS = 2                  # extra vertices along each cell edge …
EDGE_BOW = 0.025                 # … offset across it by up to this fraction of its length
MARGIN = 0.08                    # buildings keep to u, v in [MARGIN, 1 - MARGIN] of their cell
STRIP = (0.04, 0.065)            # street furniture: this far (in u or v) inside a cell edge

# gis_core.models.AreaLevel values (not imported: this module does not need Django).
DISTRICT, STREET, COMMUNITY, GRID = 2, 3, 4, 5

# Real street names of 盘龙区; communities and roads are plausible, not a survey. Streets
# are quadrants: 拓东 south-west, 鼓楼 north-west, 东华 south-east, 联盟 north-east.
STREETS = (
    ("拓东街道", (("拓东社区", ("拓东路", "白塔路")), ("塘子巷社区", ("塘双路", "东风东路")),
                  ("金马社区", ("金马路", "鼓楼路")), ("白塔社区", ("白塔路", "北京路")),
                  ("同仁社区", ("同仁街", "书林街")))),
    ("鼓楼街道", (("鼓楼社区", ("鼓楼路", "圆通街")), ("圆通社区", ("圆通北路", "青年路")),
                  ("菊花社区", ("菊花村路", "桃源街")), ("小菜园社区", ("小菜园路", "环城北路")),
                  ("北门社区", ("北门街", "华山东路")))),
    ("东华街道", (("东华社区", ("东华路", "东二环路")), ("金星社区", ("金星路", "万宏路")),
                  ("白龙社区", ("白龙路", "金尚路")), ("万华社区", ("万华路", "新迎路")),
                  ("江东社区", ("江东路", "人民东路")))),
    ("联盟街道", (("联盟社区", ("联盟路", "穿金路")), ("北辰社区", ("北辰大道", "北京路")),
                  ("金江社区", ("金江路", "沣源路")), ("穿金社区", ("穿金路", "北市区路")),
                  ("沣源社区", ("沣源路", "龙泉路")))),
)

COMPOUNDS = (
    "金色家园", "翠苑", "阳光花园", "滇池明珠", "锦华苑", "春城花园", "白云小区", "银海畅园", "世纪城",
    "金江小区", "北辰花园", "和谐家园", "东方花园", "龙泉苑", "金星花园", "万宏小区", "幸福里", "青云苑",
    "桃源小区", "荷花苑", "梅园", "竹园", "兰苑", "桂苑", "名都花园", "盘江畔", "书香苑", "康乐小区",
    "华都花园", "景和园", "云秀苑", "金域蓝湾", "北市家园", "穿金小区", "沣源府", "江东花园", "白龙小区",
)
BRANDS = (
    "金马", "碧鸡", "春城", "云岭", "滇池", "彩云", "金碧", "昆华", "圆通", "金殿", "龙泉", "北辰", "东华",
    "盘江", "翠湖", "七彩", "玉龙", "苍山", "洱海", "高原", "云上", "滇峰", "金沙", "南亚", "天禾", "恒信",
)
INDUSTRIES = ("食品", "印刷", "机械", "制药", "服装", "建材", "电子", "家具", "包装", "饮料")
TRADES = ("商贸", "科技", "餐饮管理", "物业服务", "建筑工程", "文化传媒", "医药", "物流", "电子", "咨询", "家政服务",
          "教育咨询")
BUREAUS = ("教育体育局", "卫生健康局", "市场监督管理局", "城市管理局", "民政局", "人力资源和社会保障局",
           "应急管理局", "住房和城乡建设局", "退役军人事务局")


# ----------------------------------------------------------------------------- coordinates

def to_lonlat(xy: np.ndarray) -> np.ndarray:
    """Local metres east/north of the centre → longitude/latitude: latitude through the
    mean length of a degree between the centre and the point, longitude through the
    length of a degree at the point's own latitude."""
    xy = np.asarray(xy, dtype=float)
    per_lat0, _ = metres_per_degree(CENTRE_LAT)
    per_lat, _ = metres_per_degree(CENTRE_LAT + xy[..., 1] / per_lat0 / 2)
    lat = CENTRE_LAT + xy[..., 1] / per_lat
    _, per_lon = metres_per_degree(lat)
    return np.stack([CENTRE_LON + xy[..., 0] / per_lon, lat], axis=-1)


def _polygons_lonlat(rings_m: np.ndarray) -> np.ndarray:
    """Polygons in lon/lat from an (n, k, 2) array of closed rings in metres."""
    return shapely.polygons(to_lonlat(rings_m))


def ewkb_hex(geoms: np.ndarray) -> list[str]:
    """Hex EWKB with SRID 4326: what PostGIS accepts in a COPY."""
    return shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True).tolist()


def bilinear(corners: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Points at (u, v) of quadrilaterals ``corners`` (…, 4, 2: SW, SE, NE, NW)."""
    u, v = u[..., None], v[..., None]
    sw, se, ne, nw = (corners[..., i, :] for i in range(4))
    return sw * (1 - u) * (1 - v) + se * u * (1 - v) + ne * u * v + nw * (1 - u) * v


def u_direction(corners: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unit vector of the cell's local u axis (∂P/∂u of the bilinear map) at height v."""
    sw, se, ne, nw = (corners[..., i, :] for i in range(4))
    d = (se - sw) * (1 - v[..., None]) + (ne - nw) * v[..., None]
    return d / np.linalg.norm(d, axis=-1, keepdims=True)


# ----------------------------------------------------------------------------- areas

@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    level: int
    parent_code: str | None
    boundary: shapely.MultiPolygon  # lon/lat


@dataclass(frozen=True)
class Cell:
    index: int
    code: str
    name: str
    street: int          # index into STREETS
    community: int       # index within the street
    corners: np.ndarray  # (4, 2) metres: SW, SE, NE, NW lattice nodes
    ring: np.ndarray     # (k, 2) metres: the boundary, closed, with the edge vertices

    @property
    def street_name(self) -> str:
        return STREETS[self.street][0]

    @property
    def community_name(self) -> str:
        return STREETS[self.street][1][self.community][0]

    @property
    def roads(self) -> tuple[str, ...]:
        return STREETS[self.street][1][self.community][1]


@dataclass(frozen=True)
class District:
    areas: list[AreaSpec]      # parents before children
    cells: list[Cell]          # in code order
    outline_m: shapely.Polygon  # the district in metres

    @property
    def cell_polygons_m(self) -> np.ndarray:
        return shapely.polygons([c.ring for c in self.cells])


def _lattice_nodes(rng: np.random.Generator) -> np.ndarray:
    """(COLS+1, ROWS+1, 2) node positions in metres, every node jittered (the outline
    too, so the district is not a rectangle)."""
    i, j = np.meshgrid(np.arange(COLS + 1), np.arange(ROWS + 1), indexing="ij")
    regular = np.stack([(i - COLS / 2) * CELL_W, (j - ROWS / 2) * CELL_H], axis=-1)
    return regular + rng.uniform(-NODE_JITTER, NODE_JITTER, regular.shape) * [CELL_W, CELL_H]


def _edge_vertices(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """EDGE_POINTS vertices between nodes ``a`` and ``b`` (…, 2), pushed across the edge by
    up to EDGE_BOW of its length. Computed once per edge and shared by both cells."""
    t = np.arange(1, EDGE_POINTS + 1) / (EDGE_POINTS + 1)
    d = b - a
    normal = np.stack([-d[..., 1], d[..., 0]], axis=-1)
    bow = rng.uniform(-EDGE_BOW, EDGE_BOW, (*a.shape[:-1], EDGE_POINTS))
    return a[..., None, :] + t[:, None] * d[..., None, :] + bow[..., None] * normal[..., None, :]


def _cell_rings(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Corners (COLS, ROWS, 4, 2) and closed boundary rings (COLS, ROWS, k, 2) of all cells."""
    nodes = _lattice_nodes(rng)
    across = _edge_vertices(nodes[:-1, :], nodes[1:, :], rng)   # (COLS, ROWS+1, E, 2): west→east edges
    up = _edge_vertices(nodes[:, :-1], nodes[:, 1:], rng)       # (COLS+1, ROWS, E, 2): south→north edges
    sw, se, ne, nw = nodes[:-1, :-1], nodes[1:, :-1], nodes[1:, 1:], nodes[:-1, 1:]
    rings = np.concatenate([
        sw[:, :, None], across[:, :-1], se[:, :, None], up[1:, :], ne[:, :, None],
        across[:, 1:, ::-1], nw[:, :, None], up[:-1, :, ::-1], sw[:, :, None],
    ], axis=2)
    return np.stack([sw, se, ne, nw], axis=2), rings


def _multi(geom) -> shapely.MultiPolygon:
    return geom if isinstance(geom, shapely.MultiPolygon) else shapely.MultiPolygon([geom])


def _union(parts: list) -> shapely.MultiPolygon:
    merged = _multi(shapely.union_all(parts))
    if not shapely.is_valid(merged) or len(merged.geoms) != 1:
        raise AssertionError("cells do not share their edges exactly")
    return merged


def district_generate(seed: int, *, code: str = DISTRICT_CODE, name: str = DISTRICT_NAME,
                      parent_code: str | None = None) -> District:
    """The district (``code``, ``name``, under ``parent_code``), its 4 streets, 20
    communities and 200 grid cells."""
    corners, rings = _cell_rings(rng_for(seed, "district"))
    cells: list[Cell] = []
    street_areas, community_areas, cell_areas = [], [], []
    # Streets are quadrants of 10 × 5 cells (column sx, row sy); a community is a block of
    # 2 × 5 cells within its street's row; cells are numbered west to east, south to north.
    for s, (street_name, communities) in enumerate(STREETS):
        street_code = f"{code[:6]}{s + 1:03d}000"
        sx, sy = s // 2, s % 2
        community_specs = []
        for k, (community_name, _roads) in enumerate(communities):
            community_code = f"{street_code[:9]}{k + 1:03d}"
            cell_specs = []
            for n in range(10):
                col, row = (sx * 5 + k) * 2 + n % 2, sy * 5 + n // 2
                cell = Cell(index=len(cells), code=f"{community_code}{n + 1:03d}",
                            name=f"{street_name}{community_name}第{n + 1}网格", street=s, community=k,
                            corners=corners[col, row], ring=rings[col, row])
                cells.append(cell)
                boundary = _multi(shapely.Polygon(to_lonlat(cell.ring)))
                cell_specs.append(AreaSpec(cell.code, cell.name, GRID, community_code, boundary))
            community_specs.append(AreaSpec(community_code, community_name, COMMUNITY, street_code,
                                            _union([a.boundary for a in cell_specs])))
            cell_areas += cell_specs
        street_areas.append(AreaSpec(street_code, street_name, STREET, code,
                                     _union([a.boundary for a in community_specs])))
        community_areas += community_specs
    district = AreaSpec(code, name, DISTRICT, parent_code, _union([a.boundary for a in street_areas]))
    all_areas = [district, *street_areas, *community_areas, *cell_areas]
    if not shapely.is_valid([a.boundary for a in all_areas]).all():
        raise AssertionError("an area boundary is invalid")
    outline_m = shapely.union_all(shapely.polygons([c.ring for c in cells]))
    return District(areas=all_areas, cells=cells, outline_m=outline_m)


# ----------------------------------------------------------------------------- buildings

@dataclass(frozen=True)
class Kind:
    """A kind of building: its category, share of all buildings, floors, footprint size
    (metres along and across the row) and name patterns."""

    code: str
    category: str
    share: float
    floors: tuple[int, int]
    length: tuple[float, float]
    depth: tuple[float, float]
    key_share: float
    names: tuple[str, ...]


# Residential buildings are 80 %: self-built and walk-up low-rises, plus a share of
# high-rise slabs chosen so that houses come to about people / 2.5 (see _slab_share).
LOWRISE = Kind("lowrise", "residential", 0.0, (2, 6), (8, 12), (8, 12), 0.0,
               ("{road}{number}号", "{compound}{number}栋"))
SLAB = Kind("slab", "residential", 0.0, (6, 33), (30, 60), (12, 18), 0.0, ("{compound}{number}栋",))
RESIDENTIAL_SHARE = 0.80
KINDS = (
    Kind("office", "office", 0.050, (4, 28), (20, 45), (16, 28), 0.05,
         ("{brand}大厦", "{brand}商务中心", "{brand}写字楼")),
    Kind("school", "school", 0.008, (3, 6), (50, 90), (18, 30), 1.0,
         ("{stem}小学", "{stem}中学", "盘龙区{stem}实验学校")),
    Kind("kindergarten", "school", 0.004, (2, 3), (25, 40), (14, 22), 1.0, ("{stem}幼儿园", "{brand}幼儿园")),
    Kind("hospital", "hospital", 0.003, (5, 18), (40, 80), (20, 35), 1.0,
         ("盘龙区{stem}医院", "昆明{brand}医院", "{brand}中医医院")),
    Kind("clinic", "hospital", 0.003, (2, 4), (15, 25), (12, 18), 1.0, ("{community}卫生服务站", "{stem}诊所")),
    Kind("shop", "shop", 0.045, (1, 5), (15, 45), (12, 28), 0.02,
         ("{brand}超市", "{brand}商场", "{brand}购物中心", "{road}商铺")),
    Kind("market", "shop", 0.007, (1, 2), (30, 60), (20, 35), 0.3, ("{stem}农贸市场", "{road}菜市场")),
    Kind("hotel", "shop", 0.008, (3, 15), (20, 40), (14, 22), 0.1, ("{brand}酒店", "{brand}快捷酒店", "{road}宾馆")),
    Kind("factory", "factory", 0.020, (1, 4), (30, 80), (20, 45), 0.15, ("{brand}{industry}厂",)),
    Kind("government", "government", 0.015, (3, 10), (20, 40), (14, 24), 1.0,
         ("{community}居民委员会", "{street}办事处", "{street}派出所", "盘龙区{bureau}")),
    Kind("religious", "religious", 0.004, (1, 3), (15, 30), (15, 30), 0.3,
         ("{stem}寺", "{stem}清真寺", "{stem}基督教堂")),
    Kind("other", "other", 0.033, (1, 4), (10, 25), (8, 20), 0.03,
         ("{road}停车楼", "{brand}物流仓库", "{stem}文化活动中心", "{stem}垃圾中转站")),
)
HOUSES_PER_PERSON = 1 / 2.5


@dataclass
class Buildings:
    """One entry per building (arrays of equal length)."""

    cell: np.ndarray        # index into District.cells
    kind: np.ndarray        # Kind.code
    category: np.ndarray    # assets.models.BuildingCategory value
    floors: np.ndarray
    units: np.ndarray       # stairwells of residential buildings (0 otherwise)
    rooms: np.ndarray       # houses per floor per unit (0 otherwise)
    shops_below: np.ndarray  # residential with shops on the ground floor
    is_key: np.ndarray
    name: np.ndarray
    address: np.ndarray
    footprint: np.ndarray   # shapely Polygons, lon/lat
    dropped: int = 0        # generated but not placeable (reported, normally 0)

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def centre(self) -> np.ndarray:
        """Centroids (lon/lat Points); inside, as footprints are rectangles."""
        return shapely.centroid(self.footprint)


def _cell_weights(district: District, rng: np.random.Generator) -> np.ndarray:
    """Relative building density per cell: highest in the old town to the south-west,
    with lognormal variation between neighbours."""
    centres = np.array([c.corners.mean(axis=0) for c in district.cells])
    d2 = ((centres - [-2500.0, -2000.0]) ** 2).sum(axis=1)
    return (0.3 + np.exp(-d2 / (2 * 3500.0**2))) * rng.lognormal(0, 0.35, len(centres))


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts proportional to ``weights`` adding up to ``total`` (largest remainder)."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(int)
    counts[np.argsort(counts - exact)[: total - counts.sum()]] += 1
    return counts


def _residential_layout(rng: np.random.Generator, n: int, houses: int) -> tuple[np.ndarray, ...]:
    """Which of ``n`` residential buildings are slabs, and their floors, units and houses
    per floor per unit. Low-rises have one house a floor; slabs 1–4 per unit, taller ones
    more often. Buildings turn into slabs, in random order, until there are ``houses``
    houses (≈ people / 2.5): about 1 % of them, holding a fifth of the houses."""
    floors = rng.integers(LOWRISE.floors[0], LOWRISE.floors[1] + 1, n)
    slab_floors = SLAB.floors[0] + np.floor(rng.beta(1.2, 2.5, n) * 28).astype(int)
    slab_units = rng.integers(1, 5, n)
    slab_rooms = rng.choice([1, 2, 3, 4], n, p=[0.15, 0.55, 0.2, 0.1])
    order = rng.permutation(n)
    gain = np.cumsum((slab_floors * slab_units * slab_rooms - floors)[order])
    missing = houses - floors.sum()
    slab = np.zeros(n, dtype=bool)
    slab[order[: int(np.searchsorted(gain, missing)) + 1 if missing > 0 else 0]] = True
    units, rooms = np.ones(n, dtype=int), np.ones(n, dtype=int)
    floors[slab], units[slab], rooms[slab] = slab_floors[slab], slab_units[slab], slab_rooms[slab]
    return slab, floors, units, rooms


def _kinds_draw(rng: np.random.Generator, count: int) -> np.ndarray:
    """Kind codes of ``count`` buildings; residential ones are "residential" for now."""
    kinds = np.array([k.code for k in KINDS] + ["residential"], dtype=object)
    shares = np.array([k.share for k in KINDS] + [RESIDENTIAL_SHARE])
    return kinds[rng.choice(len(kinds), size=count, p=shares / shares.sum())]


KIND_BY_CODE = {k.code: k for k in (*KINDS, LOWRISE, SLAB)}


def _sizes(rng: np.random.Generator, kinds: np.ndarray, people: int) -> tuple[np.ndarray, ...]:
    """Settle residential kinds (low-rise or slab), then draw length, depth, floors, units,
    rooms and is_key per building."""
    n = len(kinds)
    residential = np.flatnonzero(kinds == "residential")
    slab, res_floors, res_units, res_rooms = _residential_layout(
        rng, len(residential), round(people * HOUSES_PER_PERSON))
    kinds[residential] = np.where(slab, SLAB.code, LOWRISE.code)
    length, depth, floors = np.zeros(n), np.zeros(n), np.zeros(n, dtype=int)
    units, rooms, key = np.zeros(n, dtype=int), np.zeros(n, dtype=int), np.zeros(n, dtype=bool)
    for code, kind in KIND_BY_CODE.items():
        mask = kinds == code
        m = int(mask.sum())
        length[mask] = rng.uniform(*kind.length, m)
        depth[mask] = rng.uniform(*kind.depth, m)
        floors[mask] = rng.integers(kind.floors[0], kind.floors[1] + 1, m)
        key[mask] = rng.random(m) < kind.key_share
    square = kinds == LOWRISE.code  # low-rises are roughly square
    depth[square] = length[square] * rng.uniform(0.85, 1.15, int(square.sum()))
    floors[residential], units[residential], rooms[residential] = res_floors, res_units, res_rooms
    return length, depth, floors, units, rooms, key


@dataclass
class _Frame:
    """What packing needs to know about a cell: the usable rectangle in metres (the
    shortest side lengths, the skew taken out) and how much a row leans (cotangent of
    the sharpest corner)."""

    width: float
    height: float
    lean: float


def _frame(corners: np.ndarray) -> _Frame:
    sw, se, ne, nw = corners
    u_edges, v_edges = np.array([se - sw, ne - nw]), np.array([nw - sw, ne - se])
    sines = []
    for a, b in ((se - sw, nw - sw), (ne - nw, nw - sw), (se - sw, ne - se), (ne - nw, ne - se)):
        sines.append(abs(a[0] * b[1] - a[1] * b[0]) / np.linalg.norm(a) / np.linalg.norm(b))
    sin = min(sines)
    usable = 1 - 2 * MARGIN
    return _Frame(width=usable * np.linalg.norm(u_edges, axis=1).min(),
                  height=usable * np.linalg.norm(v_edges, axis=1).min() * sin,
                  lean=np.sqrt(1 - sin**2) / sin)


def _rows(need: np.ndarray, limit: float) -> list[list[int]] | None:
    """Greedy shelf packing: buildings in the given order fill rows of at most ``limit``."""
    rows, current, used = [], [], 0.0
    for i, w in enumerate(need.tolist()):
        if w > limit:
            return None
        if current and used + w > limit:
            rows.append(current)
            current, used = [], 0.0
        current.append(i)
        used += w
    if current:
        rows.append(current)
    return rows


def _pack(rng: np.random.Generator, frame: _Frame, length: np.ndarray, depth: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, float]:
    """Centres (x along u, y along v, metres from the usable rectangle's corner) of
    buildings packed in rows; sizes shrink (the returned scale) until they fit. Spare room
    is shared out between rows and between buildings, so sparse cells look spread out."""
    order = np.argsort(-depth, kind="stable")  # rows of similar depth waste little room
    n = len(order)
    scale = 1.0
    while scale > 0.05:
        long, d = length[order] * scale, depth[order] * scale
        need = long + d * frame.lean + max(1.5, 3 * scale) + 0.15 * d
        balanced = max(need.max(), need.sum() / max(1.0, np.sqrt(n * frame.height / frame.width)))
        for limit in (balanced, frame.width):
            rows = _rows(need, min(limit, frame.width))
            if rows is None:
                continue
            heights = np.array([d[r].max() + max(2.0, 4 * scale) + 0.2 * d[r].max() for r in rows])
            if heights.sum() <= frame.height:
                x, y = _place_rows(rng, frame, rows, need, heights)
                cx, cy = np.empty(n), np.empty(n)
                cx[order], cy[order] = x, y
                return cx, cy, scale
        scale *= 0.9
    raise AssertionError("cannot pack the buildings of a cell")


def _place_rows(rng: np.random.Generator, frame: _Frame, rows: list[list[int]], need: np.ndarray,
                heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.empty(len(need)), np.empty(len(need))
    row_order = rng.permutation(len(rows))
    spare_y = (frame.height - heights.sum()) / len(rows)
    top = 0.0
    for r in row_order:
        members = np.array(rows[r])[rng.permutation(len(rows[r]))]
        slot_h = heights[r] + spare_y
        y[members] = top + slot_h / 2 + rng.uniform(-0.3, 0.3, len(members)) * spare_y / 2
        spare_x = (frame.width - need[members].sum()) / len(members)
        slots = need[members] + spare_x
        left = np.concatenate([[0.0], np.cumsum(slots)[:-1]])
        x[members] = left + slots / 2 + rng.uniform(-0.3, 0.3, len(members)) * spare_x / 2
        top += slot_h
    return x, y


def _rectangles(centre: np.ndarray, direction: np.ndarray, length: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Closed rings (n, 5, 2) of rectangles with the long side along ``direction``."""
    along = direction * (length / 2)[:, None]
    across = np.stack([-direction[:, 1], direction[:, 0]], axis=1) * (depth / 2)[:, None]
    corners = [centre - along - across, centre + along - across, centre + along + across,
               centre - along + across, centre - along - across]
    return np.stack(corners, axis=1)


def _footprints_m(rng: np.random.Generator, district: District, cell: np.ndarray,
                  length: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """Footprint rings in metres: each cell's buildings packed in rows, then mapped into
    the cell through its bilinear map and turned along its local u axis."""
    rings = np.empty((len(cell), 5, 2))
    for c in np.unique(cell):
        members = np.flatnonzero(cell == c)
        corners = district.cells[c].corners
        frame = _frame(corners)
        x, y, scale = _pack(rng, frame, length[members], depth[members])
        u = MARGIN + (1 - 2 * MARGIN) * x / frame.width
        v = MARGIN + (1 - 2 * MARGIN) * y / frame.height
        centre = bilinear(corners, u, v)
        rings[members] = _rectangles(centre, u_direction(corners, v),
                                     length[members] * scale, depth[members] * scale)
    return rings


def _placeable(district: District, cell: np.ndarray, rings_m: np.ndarray) -> np.ndarray:
    """Mask of footprints strictly inside their cell and not touching an earlier one:
    packing should guarantee both; this check makes sure."""
    polys = shapely.polygons(rings_m)
    inside = shapely.contains_properly(district.cell_polygons_m[cell], polys)
    left, right = shapely.STRtree(polys).query(polys, predicate="intersects")
    clash = np.zeros(len(polys), dtype=bool)
    clash[right[left < right]] = True
    return inside & ~clash


def _numbered(counter: dict, key: str, step: int = 1) -> int:
    """The next number on a road (``step`` > 1 leaves gaps, like real street numbering)
    or in a compound."""
    counter[key] += step
    return counter[key]


def _pick(rng: np.random.Generator, options: Sequence):
    return options[int(rng.integers(len(options)))]


# Pattern fields filled with a random word when a name pattern uses them.
RANDOM_WORDS = {"brand": BRANDS, "industry": INDUSTRIES, "bureau": BUREAUS, "trade": TRADES}


def _fill(rng: np.random.Generator, pattern: str, cell: Cell, **fields) -> str:
    """A name from a pattern: {street}, {community}, {stem} (the community without 社区)
    and {road} from the cell, random words for RANDOM_WORDS and {n}, and ``fields``."""
    values = {"street": cell.street_name, "community": cell.community_name,
              "stem": cell.community_name.removesuffix("社区")}
    for name, options in (*RANDOM_WORDS.items(), ("road", cell.roads), ("n", range(1, 100))):
        if "{" + name + "}" in pattern and name not in fields:
            values[name] = _pick(rng, options)
    return pattern.format(**values, **fields)


def _names(rng: np.random.Generator, district: District, cell: np.ndarray, kinds: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Names and addresses: residential buildings are "小区N栋" or "路N号", others follow
    their kind's patterns; addresses are "昆明市盘龙区…路N号", numbered along each road."""
    numbers: dict[str, int] = defaultdict(int)
    compounds = {c.index: [COMPOUNDS[i] for i in rng.choice(len(COMPOUNDS), 2, replace=False)]
                 for c in district.cells}
    names, addresses = [], []
    for c, code in zip(cell.tolist(), kinds.tolist(), strict=True):
        the_cell = district.cells[c]
        road = _pick(rng, the_cell.roads)
        number = _numbered(numbers, road, step=int(rng.integers(1, 4)))
        pattern = _pick(rng, KIND_BY_CODE[code].names)
        if "{compound}" in pattern:
            compound = _pick(rng, compounds[c])
            names.append(_fill(rng, pattern, the_cell, compound=compound, number=_numbered(numbers, compound)))
        else:
            names.append(_fill(rng, pattern, the_cell, road=road, number=number))
        addresses.append(f"昆明市盘龙区{road}{number}号")
    return np.array(names, dtype=object), np.array(addresses, dtype=object)


def buildings_generate(district: District, *, count: int, people: int, seed: int) -> Buildings:
    """About ``count`` buildings over all cells, denser in the old town."""
    rng = rng_for(seed, "buildings")
    per_cell = _allocate(count, _cell_weights(district, rng))
    cell = np.repeat(np.arange(len(district.cells)), per_cell)
    kinds = _kinds_draw(rng, count)
    length, depth, floors, units, rooms, key = _sizes(rng, kinds, people)
    rings = _footprints_m(rng, district, cell, length, depth)
    ok = _placeable(district, cell, rings)
    cell, kinds, floors, units, rooms, key, rings = (
        a[ok] for a in (cell, kinds, floors, units, rooms, key, rings))
    names, addresses = _names(rng, district, cell, kinds)
    category = np.array([KIND_BY_CODE[k].category for k in kinds.tolist()], dtype=object)
    shops_below = (units > 0) & (rng.random(len(kinds)) < np.where(kinds == SLAB.code, 0.3, 0.15))
    return Buildings(cell=cell, kind=kinds, category=category, floors=floors, units=units, rooms=rooms,
                     shops_below=shops_below, is_key=key, name=names, address=addresses,
                     footprint=_polygons_lonlat(rings), dropped=int((~ok).sum()))


# ----------------------------------------------------------------------------- houses

@dataclass
class Houses:
    building: np.ndarray    # index into Buildings
    unit: np.ndarray
    floor: np.ndarray
    room: np.ndarray        # "302": floor × 100 + number on the floor
    floor_area: np.ndarray  # "87.50" (m², numeric(8,2))
    use: np.ndarray         # assets.models.HouseUse value

    def __len__(self) -> int:
        return len(self.building)


def houses_generate(buildings: Buildings, *, seed: int) -> Houses:
    """Every unit × floor × room of every residential building. Ground floors of some are
    shops (commercial); of the rest about 8 % are vacant and 27 % rented."""
    rng = rng_for(seed, "houses")
    per_building = buildings.units * buildings.floors * buildings.rooms
    building = np.repeat(np.arange(len(buildings)), per_building)
    start = np.repeat(np.cumsum(per_building) - per_building, per_building)
    local = np.arange(len(building)) - start
    rooms, floors = buildings.rooms[building], buildings.floors[building]
    number = local % rooms + 1
    floor = (local // rooms) % floors + 1
    unit = local // (rooms * floors) + 1
    room = np.char.mod("%d", floor * 100 + number).astype(object)
    use = np.array(["self_occupied", "rented", "vacant"], dtype=object)[
        rng.choice(3, size=len(building), p=[0.645, 0.27, 0.085])]
    use[(floor == 1) & buildings.shops_below[building]] = "commercial"
    area = np.where(buildings.kind[building] == SLAB.code, 55 + 85 * rng.beta(2.2, 2.5, len(building)),
                    40 + 120 * rng.beta(2.0, 2.5, len(building)))
    return Houses(building=building, unit=unit, floor=floor, room=room,
                  floor_area=np.char.mod("%.2f", area).astype(object), use=use)


# ----------------------------------------------------------------------------- places

@dataclass
class Places:
    """Organizations or key sites: parallel lists, geometry in lon/lat."""

    name: np.ndarray
    code: np.ndarray        # organization kind or key-site category code
    geometry: np.ndarray    # shapely geometries
    building: np.ndarray    # building index or -1
    contact_name: np.ndarray
    contact_phone: np.ndarray
    extra: dict

    def __len__(self) -> int:
        return len(self.name)


def _street_points(rng: np.random.Generator, district: District, weights: np.ndarray, n: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Points along cell edges (where the streets run), in cells chosen by ``weights``;
    returns lon/lat points and their cells."""
    cell = rng.choice(len(district.cells), size=n, p=weights / weights.sum())
    along, inset = rng.uniform(0.05, 0.95, n), rng.uniform(*STRIP, n)
    side = rng.integers(4, size=n)  # south, east, north, west
    u = np.select([side == 0, side == 1, side == 2], [along, 1 - inset, along], inset)
    v = np.select([side == 0, side == 1, side == 2], [inset, along, 1 - inset], along)
    corners = np.stack([c.corners for c in district.cells])[cell]
    xy = bilinear(corners, u, v)
    inside = shapely.contains_properly(district.outline_m, shapely.points(xy))
    return shapely.points(to_lonlat(xy[inside])), cell[inside]


# Organizations: kind → (share, building kinds they sit in, name patterns, credit-code prefix:
# registration authority + type, GB 32100 table 1).
ORGANIZATIONS = {
    "enterprise": (0.62, ("office", "shop", "factory", "hotel", "market"),
                   ("昆明{brand}{trade}有限公司", "云南{brand}{trade}有限公司", "盘龙区{brand}{trade}店"), "91"),
    "public_institution": (0.10, ("school", "kindergarten", "hospital", "clinic", "other"), ("{building}",), "12"),
    "government": (0.08, ("government",), ("{building}",), "11"),
    "social": (0.10, ("office", "other", "religious"),
               ("盘龙区{brand}协会", "{community}志愿者服务队", "盘龙区{trade}商会"), "51"),
    "grassroots": (0.10, ("lowrise", "slab", "government"),
                   ("{community}业主委员会", "{community}第{n}居民小组", "{community}党支部"), "59"),  # 民政, other
}


ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714


def credit_codes(rng: np.random.Generator, prefixes: np.ndarray, region: str = "530103") -> np.ndarray:
    """Unified social credit codes (GB 32100): prefix, region, a 9-character organization
    code (GB 11714: 8 digits + check) and the check character. Organization codes come from
    an affine permutation of 0..10^8−1, so they never repeat."""
    n = len(prefixes)
    a = 48271  # coprime with 10^8
    b = int(rng.integers(10**8))
    body = (np.arange(n, dtype=np.int64) * a + b) % 10**8
    codes = []
    for prefix, number in zip(prefixes.tolist(), body.tolist(), strict=True):
        digits = f"{number:08d}"
        check = 11 - sum(int(d) * w for d, w in zip(digits, ORGANIZATION_CODE_WEIGHTS, strict=True)) % 11
        first17 = prefix + region + digits + {10: "X", 11: "0"}.get(check, str(check))
        codes.append(first17 + credit_code_check_char(first17))
    return np.array(codes, dtype=object)


def organizations_generate(district: District, buildings: Buildings, *, count: int, seed: int) -> Places:
    """About people / 200 organizations, each inside a building of a fitting kind (any
    building when the district has none of that kind)."""
    rng = rng_for(seed, "organizations")
    kinds = np.array(list(ORGANIZATIONS), dtype=object)
    shares = np.array([v[0] for v in ORGANIZATIONS.values()])
    kind = kinds[rng.choice(len(kinds), size=count, p=shares / shares.sum())]
    building = np.empty(count, dtype=np.int64)
    for k, (_share, homes, _names, _prefix) in ORGANIZATIONS.items():
        mask = kind == k
        candidates = np.flatnonzero(np.isin(buildings.kind, homes))
        if not len(candidates):
            candidates = np.arange(len(buildings))
        building[mask] = rng.choice(candidates, size=int(mask.sum()))
    names = [_fill(rng, _pick(rng, ORGANIZATIONS[k][2]), district.cells[buildings.cell[b]],
                   building=buildings.name[b])
             for k, b in zip(kind.tolist(), building.tolist(), strict=True)]
    prefixes = np.array([ORGANIZATIONS[k][3] for k in kind.tolist()], dtype=object)
    codes = credit_codes(rng, prefixes, region=district.areas[0].code[:6])
    codes[(kind == "grassroots") & (rng.random(count) < 0.5)] = None  # not every group is registered
    contact_name, contact_phone = contacts(rng, count)
    return Places(name=np.array(names, dtype=object), code=kind, geometry=buildings.centre[building],
                  building=building, contact_name=contact_name, contact_phone=contact_phone,
                  extra={"credit_code": codes, "address": buildings.address[building]})


# Key sites inside buildings: category → (building kinds, share of those buildings, name pattern).
SITES_IN_BUILDINGS = {
    "aed": (("office", "school", "hospital", "government", "shop", "market", "hotel"), 0.3, "{building}AED"),
    "hotel": (("hotel",), 1.0, "{building}"),
    "market": (("market",), 1.0, "{building}"),
    "internet_cafe": (("shop",), 0.06, "{brand}网咖"),
    "pawnshop": (("shop",), 0.02, "{brand}典当行"),
    "elderly_care": (("lowrise", "other"), 0.004, "{stem}养老服务中心"),
    "hazardous_store": (("factory",), 0.3, "{brand}化工仓库"),
    "fire_station": (("government",), 0.4, "{stem}微型消防站"),
}
# Whole buildings as polygon key sites: building kind → category.
SITE_BUILDINGS = {"school": "school", "kindergarten": "kindergarten", "hospital": "hospital", "clinic": "clinic"}
# Street furniture and standalone facilities: category → (per building, minimum, name pattern).
SITES_ALONG_STREETS = {
    "fire_hydrant": (1 / 3, 1, "{road}消防栓{n}"),
    "camera": (1 / 4, 1, "{road}监控{n}"),
    "street_light": (1 / 8, 1, "{road}路灯{n}"),
    "manhole": (1 / 8, 1, "{road}井盖{n}"),
    "fuel_station": (1 / 500, 2, "{brand}{road}加油站"),
    "gas_station": (1 / 1500, 1, "{stem}燃气调压站"),
    "substation": (1 / 800, 2, "{stem}110kV变电站"),
    "water_plant": (0, 1, "盘龙区{stem}水厂"),
}
RISK_LEVELS = {  # category → (lowest, highest)
    "fuel_station": (3, 4), "gas_station": (3, 4), "hazardous_store": (3, 4), "substation": (2, 3),
    "water_plant": (2, 3), "school": (2, 3), "kindergarten": (2, 3), "hospital": (2, 3), "market": (2, 3),
    "elderly_care": (2, 3), "hotel": (1, 2), "internet_cafe": (1, 3), "pawnshop": (1, 2),
}


def key_sites_generate(district: District, buildings: Buildings, *, seed: int) -> Places:
    """Schools and hospitals as polygons, sites inside other buildings as points at their
    centroid, and street furniture and facilities as points along the streets."""
    rng = rng_for(seed, "key_sites")
    names, codes, geoms, bldg = [], [], [], []

    def add(category: str, geometry, cell: Cell, pattern: str, building: int = -1) -> None:
        names.append(_fill(rng, pattern, cell, building=buildings.name[building] if building >= 0 else ""))
        codes.append(category)
        geoms.append(geometry)
        bldg.append(building)

    for b in np.flatnonzero(np.isin(buildings.kind, list(SITE_BUILDINGS))).tolist():
        add(SITE_BUILDINGS[buildings.kind[b]], buildings.footprint[b], district.cells[buildings.cell[b]],
            "{building}", b)
    centres = buildings.centre
    for category, (homes, share, pattern) in SITES_IN_BUILDINGS.items():
        candidates = np.flatnonzero(np.isin(buildings.kind, homes))
        for b in candidates[rng.random(len(candidates)) < share].tolist():
            add(category, centres[b], district.cells[buildings.cell[b]], pattern, b)
    weights = np.bincount(buildings.cell, minlength=len(district.cells)) + 1.0
    for category, (per_building, minimum, pattern) in SITES_ALONG_STREETS.items():
        points, cells = _street_points(rng, district, weights, max(minimum, round(len(buildings) * per_building)))
        for point, c in zip(points.tolist(), cells.tolist(), strict=True):
            add(category, point, district.cells[c], pattern)

    n = len(names)
    codes = np.array(codes, dtype=object)
    low = np.array([RISK_LEVELS.get(c, (1, 2))[0] for c in codes.tolist()])
    high = np.array([RISK_LEVELS.get(c, (1, 2))[1] for c in codes.tolist()])
    contact_name, contact_phone = contacts(rng, n)
    return Places(name=np.array(names, dtype=object), code=codes, geometry=np.array(geoms, dtype=object),
                  building=np.array(bldg, dtype=np.int64), contact_name=contact_name, contact_phone=contact_phone,
                  extra={"risk_level": rng.integers(low, high + 1)})


# ----------------------------------------------------------------------------- roads

# The streets run along the cell edges (buildings keep a margin inside their cells): one
# road per lattice line, named, one record per cell edge as road centre-line data comes.
# The outer ring and the lines between the four streets are trunk roads, every other line
# a secondary road, the rest branch roads; a few branch sections are pedestrian streets.
ROADS_NORTH_SOUTH = (  # lattice columns west → east
    "环城西路", "青年路", "正义路", "华山南路", "五一路", "长安街", "书林街", "同仁街", "圆通街", "白塔路", "北京路",
    "盘龙路", "建设路", "金星路", "万宏路", "东风路", "白龙路", "金尚路", "穿金路", "龙泉路", "环城东路",
)
ROADS_EAST_WEST = (  # lattice rows south → north
    "环城南路", "拓东路", "塘双路", "金马路", "东华路", "人民东路", "鼓楼路", "菊花村路", "联盟路", "北辰大道", "环城北路",
)
TRUNK_COLUMNS, TRUNK_ROWS = (0, COLS // 2, COLS), (0, ROWS // 2, ROWS)


@dataclass
class Roads:
    name: np.ndarray       # road names
    kind: np.ndarray       # assets.RoadKind values
    geometry: np.ndarray   # lon/lat MultiLineStrings

    def __len__(self) -> int:
        return len(self.name)


def _cell_at(district: District) -> dict[tuple[int, int], Cell]:
    """Cells by lattice (column, row), as district_generate laid them out."""
    at = {}
    for cell in district.cells:
        s, k, n = cell.index // 50, cell.index % 50 // 10, cell.index % 10
        at[((s // 2 * 5 + k) * 2 + n % 2, s % 2 * 5 + n // 2)] = cell
    return at


def _road_kind(line: int, trunk: tuple[int, ...]) -> str:
    return "trunk" if line in trunk else "secondary" if line % 2 == 0 else "branch"


def roads_generate(district: District) -> Roads:
    """The street grid: every cell edge once, with its line's name and class."""
    at = _cell_at(district)
    e = EDGE_POINTS  # ring: SW, south edge, SE, east edge, NE, north edge, NW, west edge, SW
    names, kinds, lines = [], [], []
    for col in range(COLS + 1):
        for row in range(ROWS):
            ring = at[(min(col, COLS - 1), row)].ring
            # the west edge of the cell east of the line (its east edge on the eastern border)
            points = ring[e + 1:2 * e + 3] if col == COLS else ring[3 * e + 3:][::-1]
            names.append(ROADS_NORTH_SOUTH[col])
            kinds.append(_road_kind(col, TRUNK_COLUMNS))
            lines.append(points)
    for row in range(ROWS + 1):
        for col in range(COLS):
            ring = at[(col, min(row, ROWS - 1))].ring
            points = ring[2 * e + 2:3 * e + 4][::-1] if row == ROWS else ring[:e + 2]
            kind = _road_kind(row, TRUNK_ROWS)
            pedestrian = kind == "branch" and col % 4 == 3
            names.append(ROADS_EAST_WEST[row].removesuffix("路") + "步行街" if pedestrian else ROADS_EAST_WEST[row])
            kinds.append("footway" if pedestrian else kind)
            lines.append(points)
    geometry = np.array([shapely.MultiLineString([to_lonlat(points)]) for points in lines], dtype=object)
    return Roads(name=np.array(names, dtype=object), kind=np.array(kinds, dtype=object), geometry=geometry)
