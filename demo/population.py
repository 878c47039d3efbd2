"""Synthetic people of the demo district: households living in houses, with names, ID
numbers, phones, ethnicity, residence type, move-in dates and key-group tags.

Pure functions of a numpy random generator (no database), vectorised so that a million
people take seconds. Households are drawn from templates (an elder living alone, a couple
with a child, grandparents with left-behind grandchildren, …) and members' ages follow
from the head's, which keeps families plausible and gives an age pyramid with about a
fifth of people aged 60 or over (Kunming, 2020 census: 17 %; China: 19 %).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from assets.identity import ID_CHECK_CHARS, ID_WEIGHTS
from demo import REFERENCE_DATE

DAYS_PER_YEAR = 365.2425
MAX_AGE = 100
HOME_REGION = "530103"  # 盘龙区: registered residents' ID numbers start with it

# ----------------------------------------------------------------------------- names

# Common surnames with their approximate share of the population (per cent), plus a few
# typical of Yunnan (普, 者, 和, 刀 …).
SURNAMES = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.4, "陈": 4.5, "杨": 3.6, "黄": 2.2, "赵": 2.0, "吴": 2.0,
    "周": 1.9, "徐": 1.7, "孙": 1.5, "马": 1.5, "朱": 1.3, "胡": 1.3, "郭": 1.2, "何": 1.2, "高": 1.0,
    "林": 1.0, "罗": 0.9, "郑": 0.8, "梁": 0.8, "谢": 0.8, "宋": 0.6, "唐": 0.6, "许": 0.6, "韩": 0.5,
    "冯": 0.5, "邓": 0.5, "曹": 0.5, "彭": 0.5, "曾": 0.5, "肖": 0.5, "田": 0.5, "董": 0.5, "袁": 0.4,
    "潘": 0.4, "于": 0.4, "蒋": 0.4, "蔡": 0.4, "余": 0.4, "杜": 0.4, "叶": 0.4, "程": 0.4, "苏": 0.4,
    "魏": 0.4, "吕": 0.4, "丁": 0.4, "任": 0.4, "沈": 0.3, "姚": 0.3, "卢": 0.3, "姜": 0.3, "崔": 0.3,
    "钟": 0.3, "谭": 0.3, "陆": 0.3, "汪": 0.3, "范": 0.3, "金": 0.3, "石": 0.3, "廖": 0.3, "贾": 0.3,
    "夏": 0.3, "韦": 0.3, "付": 0.3, "方": 0.3, "白": 0.3, "邹": 0.3, "孟": 0.3, "熊": 0.3, "秦": 0.3,
    "邱": 0.3, "江": 0.3, "尹": 0.3, "薛": 0.2, "段": 0.3, "雷": 0.2, "侯": 0.2, "龙": 0.2, "史": 0.2,
    "陶": 0.2, "黎": 0.2, "贺": 0.2, "顾": 0.2, "毛": 0.2, "郝": 0.2, "龚": 0.2, "邵": 0.2, "万": 0.2,
    "钱": 0.2, "严": 0.2, "武": 0.2, "戴": 0.2, "莫": 0.2, "孔": 0.2, "向": 0.2, "汤": 0.2,
    "普": 0.15, "者": 0.05, "和": 0.1, "刀": 0.03, "字": 0.05, "鲁": 0.1, "保": 0.05, "木": 0.03,
}

# Given-name characters by gender and generation (names changed with the times: 建国 and
# 秀英 are born in the 1950s, 梓轩 and 欣怡 after 2000).
GIVEN_CHARS = {
    ("M", "old"): "国建华明平军伟强文志忠德福成林海勇刚峰东兴荣光斌贵学富良云春生永",
    ("M", "young"): "浩宇轩子涵博睿杰俊辰鑫磊鹏晨泽梓昊铭天翔一哲航凯文嘉逸然瑞皓宏毅",
    ("F", "old"): "秀英兰芳珍玉凤华淑桂琼丽萍红梅霞云莲琴敏春燕娟芬艳玲美琳",
    ("F", "young"): "欣怡雨涵诗梓萱佳琪雅静婷思颖悦晨一诺可馨妍蕾彤璐瑶晴语若欢",
}
YOUNG_FROM_YEAR = 1985

FOREIGN_NAMES = {  # nationality (ISO 3166-1 alpha-3): (given names, family names), share
    "MMR": (("Aung", "Kyaw", "Min", "Htet", "Zaw", "Thiri", "Nyein", "Su", "Hnin", "Myo"),
            ("Win", "Oo", "Naing", "Lwin", "Thant", "Aye", "Tun", "Soe"), 0.36),
    "LAO": (("Souk", "Khamla", "Phon", "Vilay", "Noy", "Bounmy", "Keo", "Dara"),
            ("Phommachanh", "Sisouk", "Vongsa", "Inthavong", "Keomany"), 0.15),
    "VNM": (("An", "Binh", "Lan", "Minh", "Hoa", "Tuan", "Linh", "Duc"),
            ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu"), 0.15),
    "THA": (("Somchai", "Siriporn", "Anan", "Malee", "Niran", "Kanya"),
            ("Saetang", "Wongsakul", "Charoen", "Boonmee", "Srisuk"), 0.10),
    "USA": (("John", "Emily", "Michael", "Sarah", "David", "Anna"),
            ("Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson"), 0.07),
    "KOR": (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun"), ("Kim", "Lee", "Park", "Choi"), 0.06),
    "JPN": (("Haruto", "Yui", "Sota", "Aoi"), ("Sato", "Suzuki", "Takahashi", "Tanaka"), 0.04),
    "GBR": (("Oliver", "Amelia", "George", "Isla"), ("Taylor", "Evans", "Thomas", "Roberts"), 0.03),
    "FRA": (("Louis", "Camille", "Hugo", "Léa"), ("Martin", "Bernard", "Dubois", "Moreau"), 0.02),
    "IND": (("Arjun", "Priya", "Rahul", "Ananya"), ("Sharma", "Patel", "Singh", "Kumar"), 0.02),
}

# ----------------------------------------------------------------------------- origins

ETHNICITIES = {
    "汉族": 86.0, "彝族": 4.5, "白族": 2.0, "回族": 2.0, "哈尼族": 1.0, "傣族": 0.8, "壮族": 0.8,
    "苗族": 0.8, "纳西族": 0.6, "傈僳族": 0.4, "拉祜族": 0.3, "佤族": 0.2, "藏族": 0.2, "满族": 0.2,
    "布依族": 0.2,
}

# Where migrants' ID numbers come from (GB/T 2260 county codes), with weights: mostly
# the rest of Yunnan, then the neighbouring provinces, then everywhere else.
MIGRANT_REGIONS = {
    **dict.fromkeys((
        "530102", "530111", "530112", "530113", "530114", "530115", "530124", "530125", "530128",
        "530129", "530181", "530302", "530304", "530381", "530402", "530502", "530602", "530621",
        "530702", "530802", "530902", "532301", "532501", "532502", "532601", "532801", "532901",
        "533103", "533301",
    ), 2.0),
    **dict.fromkeys(("510104", "510107", "511302", "500101", "500103", "520102", "520103", "520502"), 3.0),
    **dict.fromkeys((
        "430102", "430103", "440106", "440304", "450102", "330106", "320106", "410105", "420106",
        "360102", "350102", "370102", "130102", "110105", "310104", "610113", "620102", "230103",
        "210102", "340104", "460106", "540102", "630102", "640104", "650102", "150102", "220102",
        "140105", "120101",
    ), 1.0),
}

PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182", "183",
    "184", "185", "186", "187", "188", "189", "191", "198", "199",
)

# ----------------------------------------------------------------------------- households

# Household templates by size: (size, weight within the size, member roles). The first
# member is the head; roles (see _member_ages): E elder, Q elder's partner, S single adult,
# A adult, P partner, C child of the head, G parent of the head, K left-behind grandchild.
TEMPLATES = (
    (1, 0.32, "E"), (1, 0.68, "S"),
    (2, 0.24, "EQ"), (2, 0.46, "AP"), (2, 0.15, "AC"), (2, 0.15, "AG"),
    (3, 0.75, "APC"), (3, 0.10, "EQC"), (3, 0.05, "EQK"), (3, 0.10, "APG"),
    (4, 0.52, "APCC"), (4, 0.33, "APCG"), (4, 0.05, "EQKK"), (4, 0.10, "APGG"),
    (5, 0.35, "APCGG"), (5, 0.45, "APCCG"), (5, 0.15, "APCCC"), (5, 0.05, "EQKKK"),
)
# Household sizes 1..5 before tilting to the mean the houses require (urban China, 2020).
BASE_SIZE_SHARES = np.array([0.25, 0.30, 0.24, 0.13, 0.08])

REGISTERED, MIGRANT, FOREIGN = "registered", "migrant", "foreign"
# Residence type of a household by house use: tenants are mostly migrants.
RESIDENCE_TYPE_SHARES = {
    "self_occupied": (0.86, 0.137, 0.003),
    "rented": (0.33, 0.62, 0.05),
}
OCCUPIED_USES = tuple(RESIDENCE_TYPE_SHARES)
PREVIOUS_RESIDENCE_SHARE = 0.05


@dataclass
class People:
    """One row per person, in household order; ``tags`` maps a PersonTag code to the
    indexes of the people who carry it. Dates are numpy datetime64[D]."""

    house: np.ndarray            # index of the house lived in now
    household: np.ndarray        # index of the household
    relation: np.ndarray         # owner / family / tenant
    moved_in: np.ndarray
    name: np.ndarray
    id_number: np.ndarray        # object: str, or None for foreigners
    id_verified: np.ndarray
    gender: np.ndarray           # "M" / "F"
    birth_date: np.ndarray
    phone: np.ndarray
    ethnicity: np.ndarray
    residence_type: np.ndarray
    nationality: np.ndarray
    tags: dict[str, np.ndarray] = field(default_factory=dict)
    # Earlier, moved-out primary residences: person index, house index, relation, dates.
    previous: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.name)


# ----------------------------------------------------------------------------- helpers

def _weighted(rng: np.random.Generator, weights: dict, size) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    p = np.fromiter(weights.values(), float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def _days(years: np.ndarray) -> np.ndarray:
    return np.round(np.asarray(years) * DAYS_PER_YEAR).astype("timedelta64[D]")


def reference_day(reference: dt.date = REFERENCE_DATE) -> np.datetime64:
    return np.datetime64(reference, "D")


def chinese_names(rng: np.random.Generator, gender: np.ndarray, birth_year: np.ndarray,
                  surname: np.ndarray | None = None) -> np.ndarray:
    """Surname (weighted by frequency) + one or two given-name characters from the pool of
    the person's gender and generation."""
    n = len(gender)
    if surname is None:
        surname = _weighted(rng, SURNAMES, n)
    young = birth_year >= YOUNG_FROM_YEAR
    given = np.empty(n, dtype=object)
    for (sex, era), chars in GIVEN_CHARS.items():
        mask = (gender == sex) & (young == (era == "young"))
        m = int(mask.sum())
        pool = np.array(list(chars), dtype=object)
        first, second = pool[rng.integers(len(pool), size=m)], pool[rng.integers(len(pool), size=m)]
        single = rng.random(m) < (0.15 if era == "young" else 0.35)
        given[mask] = np.where(single, first, first + second)
    return surname + given


def foreign_names(rng: np.random.Generator, nationality: np.ndarray) -> np.ndarray:
    names = np.empty(len(nationality), dtype=object)
    for code, (given, family, _share) in FOREIGN_NAMES.items():
        mask = nationality == code
        m = int(mask.sum())
        g = np.array(given, dtype=object)[rng.integers(len(given), size=m)]
        f = np.array(family, dtype=object)[rng.integers(len(family), size=m)]
        names[mask] = g + " " + f
    return names


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mobile numbers: 11 digits, a real 1[3-9]x operator prefix and 8 random digits."""
    prefix = np.array(PHONE_PREFIXES, dtype=object)[rng.integers(len(PHONE_PREFIXES), size=n)]
    rest = rng.integers(0, 10**8, size=n)
    return np.array([p + f"{r:08d}" for p, r in zip(prefix.tolist(), rest.tolist(), strict=True)], dtype=object)


def contacts(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Names and phones of adults (responsible persons, contacts, grid leaders)."""
    gender = np.where(rng.random(n) < 0.55, "M", "F").astype(object)
    birth_year = rng.integers(1962, 2000, size=n)
    return chinese_names(rng, gender, birth_year), phones(rng, n)


def id_numbers(region: np.ndarray, birth: np.ndarray, male: np.ndarray, *, home_region: str = HOME_REGION,
               slot: int = 0, slots: int = 1) -> np.ndarray:
    """18-character resident ID numbers (GB 11643): region, birth date, a sequence number
    whose last digit is odd for men, and the check character.

    Sequence numbers are unique within each (region, birth date, gender) group, so no two
    people share a number: people are ranked within their group and the rank is scrambled
    into 0..499 (times two, plus one for men).

    A city of ``slots`` districts generated one by one (``slot``: this one) stays unique
    too: a district's home region is its own, and people of other regions take every
    ``slots``-th rank, starting at ``slot``."""
    n = len(region)
    region_int = np.asarray(region, dtype="U6").astype(np.int64)
    month = birth.astype("datetime64[M]")
    ymd = ((month.astype("datetime64[Y]").astype(np.int64) + 1970) * 10000
           + (month.astype(np.int64) % 12 + 1) * 100 + (birth - month).astype(np.int64) + 1)
    order = np.lexsort((male, ymd, region_int))
    key = np.stack([region_int[order], ymd[order], male[order]])
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    group_start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - group_start
    if slots > 1:
        rank = np.where(region_int == int(home_region), rank, rank * slots + slot)
    if n and rank.max() >= 500:
        raise ValueError("more than 500 people share a region, birth date and gender")
    offset = (ymd * 37 + region_int) % 500  # the same within a group
    seq = ((rank * 131 + offset) % 500) * 2 + male.astype(np.int64)
    first17 = region_int * 10**11 + ymd * 10**3 + seq
    digits = (first17[:, None] // 10 ** np.arange(16, -1, -1)) % 10
    check = np.array(list(ID_CHECK_CHARS))[(digits @ np.array(ID_WEIGHTS)) % 11]
    return np.array([f"{a}{c}" for a, c in zip(first17.tolist(), check.tolist(), strict=True)], dtype=object)


# ----------------------------------------------------------------------------- households

def _tilted_size_shares(mean: float) -> np.ndarray:
    """Household-size shares (1..5) closest to the base shares with the given mean
    (exponential tilting, bisection on the tilt)."""
    sizes = np.arange(1, 6)
    lo, hi = -5.0, 5.0
    for _ in range(60):
        t = (lo + hi) / 2
        p = BASE_SIZE_SHARES * np.exp(t * sizes)
        p /= p.sum()
        lo, hi = (t, hi) if p @ sizes < mean else (lo, t)
    return p


def household_sizes(rng: np.random.Generator, households: int, people: int) -> np.ndarray:
    """Sizes 1..5 of ``households`` households adding up to exactly ``people``."""
    if not households <= people <= 5 * households:
        raise ValueError(f"{people} people cannot fill {households} households of 1 to 5")
    sizes = rng.choice(np.arange(1, 6), size=households, p=_tilted_size_shares(people / households))
    diff = people - int(sizes.sum())
    while diff:
        step = 1 if diff > 0 else -1
        movable = np.flatnonzero((sizes < 5) if step > 0 else (sizes > 1))
        chosen = rng.choice(movable, size=min(abs(diff), len(movable)), replace=False)
        sizes[chosen] += step
        diff -= step * len(chosen)
    return sizes


def _template_choice(rng: np.random.Generator, sizes: np.ndarray) -> np.ndarray:
    """A template index per household, by its size."""
    choice = np.empty(len(sizes), dtype=np.int64)
    for size in range(1, 6):
        ids = [i for i, t in enumerate(TEMPLATES) if t[0] == size]
        w = np.array([TEMPLATES[i][1] for i in ids])
        mask = sizes == size
        choice[mask] = np.array(ids)[rng.choice(len(ids), size=int(mask.sum()), p=w / w.sum())]
    return choice


def _bounded(rng: np.random.Generator, age: np.ndarray, low: float, high: float) -> np.ndarray:
    """Ages brought into [low, high] by redrawing the outliers near the bound (clipping
    would pile many people on one birth date)."""
    age = np.where(age < low, low + rng.uniform(0, 2, len(age)), age)
    return np.where(age > high, high - rng.uniform(0, 5, len(age)), age)


def _head_age(rng: np.random.Generator, role: str, n: int, roles: str) -> np.ndarray:
    if role == "E":
        return _bounded(rng, 60 + rng.exponential(10.5, n), 60, MAX_AGE)
    if role == "S":
        return 18 + 42 * rng.beta(1.3, 2.4, n)
    # A: with young children the head is younger, with parents living in, older.
    return 24 + 35 * rng.beta(1.5, 1.4 if "G" in roles else 1.8, n)


def _member_ages(rng: np.random.Generator, roles: str, n: int) -> list[np.ndarray]:
    """Ages (years, float) of each member of ``n`` households of one template."""
    head = _head_age(rng, roles[0], n, roles)
    ages = [head]
    for role in roles[1:]:
        if role in "PQ":
            age = _bounded(rng, head + rng.normal(-1.0, 3.0, n), 55 if role == "Q" else 18, MAX_AGE)
        elif role == "C":
            age = head - rng.uniform(22, 36, n)
            age = np.where(age < 0, rng.uniform(0, 3, n), age)
        elif role == "G":
            age = _bounded(rng, head + rng.uniform(22, 34, n), 0, MAX_AGE)
        elif role == "K":
            age = rng.uniform(1, 15, n)
        else:
            raise ValueError(role)
        ages.append(age)
    return ages


def _member_genders(rng: np.random.Generator, roles: str, n: int) -> list[np.ndarray]:
    head_female = {"E": 0.6 if len(roles) == 1 else 0.5, "S": 0.45}.get(roles[0], 0.5)
    head = rng.random(n) < head_female
    genders = [head]
    for role in roles[1:]:
        if role in "PQ":
            genders.append(~head)
        elif role == "G":
            genders.append(rng.random(n) < 0.6)
        else:
            genders.append(rng.random(n) < 0.49)
    return [np.where(g, "F", "M").astype(object) for g in genders]


@dataclass
class _Members:
    household: np.ndarray
    position: np.ndarray
    role: np.ndarray
    age: np.ndarray
    gender: np.ndarray


def _members(rng: np.random.Generator, templates: np.ndarray) -> _Members:
    """Every member of every household, sorted by household then position."""
    parts = []
    for t, (_size, _w, roles) in enumerate(TEMPLATES):
        hh = np.flatnonzero(templates == t)
        if not len(hh):
            continue
        ages, genders = _member_ages(rng, roles, len(hh)), _member_genders(rng, roles, len(hh))
        for pos, role in enumerate(roles):
            parts.append((hh, np.full(len(hh), pos), np.full(len(hh), role, dtype=object), ages[pos], genders[pos]))
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    order = np.lexsort((cols[1], cols[0]))
    return _Members(*(c[order] for c in cols))


# ----------------------------------------------------------------------------- people

@dataclass
class _Households:
    """What members of a household share: their house and when they moved in, residence
    type, nationality, the region of their ID numbers, ethnicity and family name."""

    house: np.ndarray
    rented: np.ndarray
    residence_type: np.ndarray
    nationality: np.ndarray
    region: np.ndarray
    moved_in: np.ndarray
    ethnicity: np.ndarray
    surname: np.ndarray


def _households(rng: np.random.Generator, house_use: np.ndarray, house: np.ndarray,
                today: np.datetime64, home_region: str, city_regions: frozenset[str]) -> _Households:
    """One household per house in ``house``. Tenants are mostly migrants and moved in
    recently; registered owners may have lived there for up to 30 years."""
    n = len(house)
    use = house_use[house]
    rtype = np.empty(n, dtype=object)
    for kind, shares in RESIDENCE_TYPE_SHARES.items():
        mask = use == kind
        rtype[mask] = np.array([REGISTERED, MIGRANT, FOREIGN], dtype=object)[
            rng.choice(3, size=int(mask.sum()), p=shares)]
    nationality = np.full(n, "CHN", dtype=object)
    foreign = rtype == FOREIGN
    nationality[foreign] = _weighted(rng, {k: v[2] for k, v in FOREIGN_NAMES.items()}, int(foreign.sum()))
    rented = use == "rented"
    # Migrants come from outside the city: a registered resident of another of its districts
    # is registered there.
    migrant_regions = {r: w for r, w in MIGRANT_REGIONS.items() if r not in city_regions}
    years_in = np.where(rented, np.minimum(rng.exponential(2.5, n), 10),
                        np.where(rtype == REGISTERED, rng.uniform(0, 30, n), rng.uniform(0, 15, n)))
    return _Households(
        house=house, rented=rented, residence_type=rtype, nationality=nationality,
        region=np.where(rtype == MIGRANT, _weighted(rng, migrant_regions, n), home_region),
        moved_in=today - _days(years_in), ethnicity=_weighted(rng, ETHNICITIES, n),
        surname=_weighted(rng, SURNAMES, n),
    )


def people_generate(rng: np.random.Generator, *, house_use: np.ndarray, people: int,
                    reference: dt.date = REFERENCE_DATE, home_region: str = HOME_REGION,
                    city_regions: frozenset[str] = frozenset(), slot: int = 0, slots: int = 1) -> People:
    """``people`` people living in the occupied (self-occupied or rented) houses among
    ``house_use``; every person lives somewhere, every occupied house holds 1 to 5 (when
    there are more occupied houses than people, a random subset gets one each).
    ``home_region`` … ``slots``: the district's place in a city (see id_numbers)."""
    today = reference_day(reference)
    occupied = np.flatnonzero(np.isin(house_use, OCCUPIED_USES))
    house = np.sort(rng.choice(occupied, size=min(len(occupied), people), replace=False))
    sizes = household_sizes(rng, len(house), people)
    m = _members(rng, _template_choice(rng, sizes))
    h = _households(rng, house_use, house, today, home_region, city_regions)
    hh, n = m.household, len(m.household)

    birth = today - _days(m.age)
    foreign = h.residence_type[hh] == FOREIGN
    # Heads, their children and grandchildren share the family name; partners and parents need not.
    surname = np.where(np.isin(m.role, ["A", "C", "E", "K", "S"]), h.surname[hh], _weighted(rng, SURNAMES, n))
    name = chinese_names(rng, m.gender, birth.astype("datetime64[Y]").astype(int) + 1970, surname=surname)
    name[foreign] = foreign_names(rng, h.nationality[hh][foreign])
    ids = np.full(n, None, dtype=object)
    ids[~foreign] = id_numbers(h.region[hh][~foreign], birth[~foreign], m.gender[~foreign] == "M",
                               home_region=home_region, slot=slot, slots=slots)
    ethnicity = np.where(rng.random(n) < 0.08, _weighted(rng, ETHNICITIES, n), h.ethnicity[hh])
    ethnicity[foreign] = ""
    phone = phones(rng, n)
    phone[(m.age < 12) | ((m.age < 18) | (m.age > 85)) & (rng.random(n) < 0.5)] = ""  # children, some teens, elders
    registered = h.residence_type[hh] == REGISTERED
    verified = (rng.random(n) < np.where(registered, 0.9, 0.7)) & ~foreign

    result = People(
        house=h.house[hh], household=hh,
        relation=np.where(h.rented[hh], "tenant", np.where(m.position == 0, "owner", "family")).astype(object),
        moved_in=np.maximum(h.moved_in[hh], birth), name=name, id_number=ids, id_verified=verified,
        gender=m.gender, birth_date=birth, phone=phone, ethnicity=ethnicity,
        residence_type=h.residence_type[hh], nationality=h.nationality[hh],
    )
    result.tags = _tags(rng, m, sizes)
    result.previous = _previous_residences(rng, result, house_count=len(house_use))
    return result


def _tags(rng: np.random.Generator, m: _Members, sizes: np.ndarray) -> dict[str, np.ndarray]:
    """Key-group tags (codes of assets.defaults.PERSON_TAGS) → person indexes."""
    age, n = m.age, len(m.age)
    size = sizes[m.household]
    elder = age >= 60
    all_elder = np.minimum.reduceat(elder, np.flatnonzero(m.position == 0)) if n else elder
    adult = (age >= 18) & (age < 60)

    def r() -> np.ndarray:  # a fresh uniform draw per tag
        return rng.random(n)

    low_income_households = rng.random(len(sizes)) < 0.03
    masks = {
        "elderly": elder,
        "living_alone": elder & (size == 1),
        "empty_nest": elder & (size > 1) & all_elder[m.household],
        "disabled": r() < np.where(elder, 0.045, 0.012),
        "low_income": low_income_households[m.household],
        "left_behind_child": (m.role == "K") & (age < 16),
        "veteran": (m.gender == "M") & (age >= 35) & (r() < 0.03),
        "chronic_illness": r() < np.where(elder, 0.22, np.where(age >= 40, 0.05, 0.0)),
        "key_management": (age >= 18) & (age < 65) & (r() < 0.0035),
        "community_correction": adult & (r() < 0.0006),
        "mental_disorder": (age >= 18) & (r() < 0.002),
        "drug_rehab": (age >= 18) & (age < 55) & (r() < 0.0006),
        "volunteer": (age >= 18) & (age < 72) & (r() < 0.03),
    }
    return {code: np.flatnonzero(mask) for code, mask in masks.items()}


def _previous_residences(rng: np.random.Generator, p: People, house_count: int) -> dict[str, np.ndarray]:
    """About 5 % of people moved here from another house of the district: an earlier
    primary residence, ended before the current one began."""
    lived = (p.moved_in - p.birth_date).astype(int)
    eligible = np.flatnonzero(lived >= 3 * 365)
    share = min(1.0, PREVIOUS_RESIDENCE_SHARE * len(p) / max(len(eligible), 1))
    person = eligible[rng.random(len(eligible)) < share]
    if house_count < 2:
        person = person[:0]
    house = rng.integers(0, house_count, size=len(person))
    house = np.where(house == p.house[person], (house + 1) % max(house_count, 1), house)
    moved_out = p.moved_in[person] - rng.integers(0, 90, size=len(person)).astype("timedelta64[D]")
    earliest = np.maximum(p.birth_date[person], p.moved_in[person] - np.timedelta64(20 * 365, "D"))
    span = (moved_out - earliest).astype(int)
    moved_in = earliest + (rng.random(len(person)) * span * 0.9).astype("timedelta64[D]")
    relation = np.array(["owner", "family", "tenant"], dtype=object)[rng.choice(3, size=len(person), p=[0.2, 0.4, 0.4])]
    return {"person": person, "house": house, "relation": relation, "moved_in": moved_in, "moved_out": moved_out}
