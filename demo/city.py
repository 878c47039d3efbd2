"""A city of demo districts side by side (``seed_demo --districts K``).

District k is generated like the demo district, from its own seed, with its own codes
(CITY_DISTRICTS) and ID-number slot, then moved as a whole: east by the district's width
plus a gap, wrapping into rows of CITY_COLUMNS. A translation in degrees keeps every
boundary valid and the districts disjoint. District 0 of a one-district city is exactly
the demo district (no city area above it)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from demo import CITY_CODE, CITY_DISTRICTS, DISTRICT_NAME
from demo.geography import CELL_H, CELL_W, CENTRE_LAT, COLS, ROWS
from gis_core.spatial import metres_per_degree

CITY_COLUMNS = 5
GAP_M = 1000.0  # between neighbouring districts (the lattice jitters by ~0.1 km at most)
SEED_STEP = 1000  # district k's seed: the city's seed + k × SEED_STEP


@dataclass(frozen=True)
class CityDistrict:
    index: int
    count: int  # districts in the city
    code: str   # 12 digits
    name: str
    seed: int

    @property
    def parent_code(self) -> str | None:
        return CITY_CODE if self.count > 1 else None

    @property
    def region(self) -> str:
        """Its GB/T 2260 code: the first digits of its registered residents' ID numbers."""
        return self.code[:6]

    @property
    def city_regions(self) -> frozenset[str]:
        return frozenset(code for code, _name in CITY_DISTRICTS[:self.count])

    @property
    def offset(self) -> np.ndarray:
        """Longitude and latitude (degrees) to add to the generated district."""
        per_lat, per_lon = metres_per_degree(CENTRE_LAT)
        row, col = divmod(self.index, CITY_COLUMNS)
        return np.array([col * (COLS * CELL_W + GAP_M) / per_lon, row * (ROWS * CELL_H + GAP_M) / per_lat])

    def move(self, geoms: np.ndarray) -> np.ndarray:
        if not self.index:
            return geoms
        offset = self.offset
        return shapely.transform(geoms, lambda xy: xy + offset)

    def rename(self, texts: np.ndarray) -> np.ndarray:
        """Names and addresses with the demo district's name ("昆明市盘龙区…") made this one's."""
        if self.name == DISTRICT_NAME:
            return texts
        return np.array([t if t is None else t.replace(DISTRICT_NAME, self.name) for t in texts.tolist()],
                        dtype=object)


def city_districts(count: int, seed: int) -> list[CityDistrict]:
    if not 1 <= count <= len(CITY_DISTRICTS):
        raise ValueError(f"a city has 1 to {len(CITY_DISTRICTS)} districts")
    return [CityDistrict(index=k, count=count, code=f"{code}000000", name=name, seed=seed + k * SEED_STEP)
            for k, (code, name) in enumerate(CITY_DISTRICTS[:count])]
