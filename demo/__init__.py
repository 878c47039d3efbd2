"""The synthetic demo district (盘龙区, Kunming): constants shared by the generator
(``geography``, ``population``), the loader, ``manage.py seed_demo`` and
``manage.py demo_banner``.

Everything is generated from a seed, so the same ``--seed`` and ``--people`` always give
the same district: same boundaries, footprints, names and ID numbers.
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

DEMO_PASSWORD = "demo2026"
# The published secret (base32) of the demo logins' authenticator (TOTP, 6 digits, 30 s),
# for the roles that must give a code (signin.selectors.otp_required_for): type it into
# an authenticator app, or print the current code with `manage.py demo_otp_code`.
# Published on purpose: a demo is not to hold real data.
DEMO_TOTP_SECRET = "GRIDDEMOGRIDDEMOGRIDDEMOGRIDDEMO"
DEFAULT_SEED = 2026
DEFAULT_PEOPLE = 20_000

# The day the synthetic population is "as of": ages, move-in dates and birth dates are
# computed from it rather than from today, so a seed gives the same rows whatever the day.
REFERENCE_DATE = dt.date(2026, 1, 1)

DISTRICT_CODE = "530103000000"  # 盘龙区 (GB/T 2260 530103)
DISTRICT_NAME = "盘龙区"
FIRST_STREET = "530103001000"
FIRST_COMMUNITY = "530103001001"
FIRST_CELL = "530103001001001"

# `seed_demo --districts K`: K districts side by side under one city. The first is the
# demo district above (so K = 1 is exactly the demo); the others take the next codes and
# names of Kunming's districts and counties (GB/T 2260), each generated from its own seed.
CITY_CODE = "530100000000"
CITY_NAME = "昆明市"
CITY_DISTRICTS = (
    ("530103", "盘龙区"), ("530102", "五华区"), ("530111", "官渡区"), ("530112", "西山区"),
    ("530113", "东川区"), ("530114", "呈贡区"), ("530115", "晋宁区"), ("530124", "富民县"),
    ("530125", "宜良县"), ("530126", "石林彝族自治县"), ("530127", "嵩明县"), ("530128", "禄劝彝族苗族自治县"),
    ("530129", "寻甸回族彝族自治县"), ("530181", "安宁市"),
)
# The login of the whole city (a district administrator whose area is the city), and of
# each further district: this prefix + its 6-digit code.
CITY_USER = "city"
DISTRICT_ADMIN_PREFIX = "admin_"


class DemoUser(NamedTuple):
    username: str
    role: str  # gis_core.models.Role value
    area_code: str
    name: str


# One login per role. The grid leader *is* the leader of the first cell (no separate
# gl_… account is made for that cell).
DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "district_admin", DISTRICT_CODE, "张建国"),
    DemoUser("street", "street_official", FIRST_STREET, "李春华"),
    DemoUser("community", "community_worker", FIRST_COMMUNITY, "王丽芳"),
    DemoUser("gridleader", "grid_leader", FIRST_CELL, "杨志明"),
    DemoUser("dispatcher", "dispatcher", DISTRICT_CODE, "陈静"),
    DemoUser("handler", "department_handler", DISTRICT_CODE, "刘洋"),
]
DEMO_SUPERUSERS = frozenset({"admin"})

# Usernames of the generated grid leaders: this prefix + the cell code.
GRID_LEADER_PREFIX = "gl_"


def rng_for(seed: int, topic: str):
    """An independent random stream per topic ("district", "buildings", "people", …), so
    changing how one thing is generated does not reshuffle everything else."""
    import zlib

    import numpy as np

    return np.random.default_rng([seed, zlib.crc32(topic.encode())])
