"""Generate the demo district and load it into the database.

Areas and users go through the services (225 areas, ~200 users: their rules matter more
than speed). Everything else — up to millions of rows — goes in with PostgreSQL COPY:

* ids are assigned here (after the current maximum of each table), so houses, residences
  and taggings reference buildings and people without a round trip; sequences are moved
  past them afterwards;
* the ``derive_area`` triggers stay on, so buildings, organizations and key sites get
  their grid cell from the database exactly as with any other write;
* the history triggers (django-pghistory ``snapshot_insert``) are switched off for the
  load: a demo load is not a change anybody made, and a million event rows would double
  the work;
* it all runs in one transaction: a failure leaves nothing behind.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import pgtrigger
import shapely
from django.apps import apps
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from tqdm import tqdm

from assets.defaults import defaults_load
from assets.models import (
    Building,
    House,
    KeySite,
    KeySiteCategory,
    Organization,
    Person,
    PersonTag,
    PersonTagging,
    Residence,
    Road,
)
from demo import (
    CITY_CODE,
    CITY_NAME,
    CITY_USER,
    DEMO_PASSWORD,
    DEMO_SUPERUSERS,
    DEMO_TOTP_SECRET,
    DEMO_USERS,
    DISTRICT_ADMIN_PREFIX,
    GRID_LEADER_PREFIX,
    REFERENCE_DATE,
    DemoUser,
    rng_for,
)
from demo.city import CityDistrict, city_districts
from demo.geography import (
    Buildings,
    District,
    Houses,
    Places,
    Roads,
    buildings_generate,
    district_generate,
    ewkb_hex,
    houses_generate,
    key_sites_generate,
    organizations_generate,
    roads_generate,
)
from demo.population import OCCUPIED_USES, People, contacts, people_generate
from gis_core.models import Area, AreaLevel, Role, User
from gis_core.services import area_create, user_create
from signin.selectors import otp_required_for
from signin.services import totp_device_set

Log = Callable[[str], None]
# Loaded with COPY, in this order (later tables reference earlier ones).
COPIED_MODELS = (Building, House, Person, PersonTagging, Residence, Organization, KeySite, Road)
CHUNK = 20_000


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- generation

@dataclass
class DemoData:
    """The whole synthetic district, before it touches the database."""

    seed: int
    district: District
    buildings: Buildings
    houses: Houses
    people: People
    organizations: Places
    key_sites: Places
    roads: Roads
    users: list[DemoUser]  # the logins besides the grid leaders (name "": one from user_contacts)
    user_contacts: tuple[np.ndarray, np.ndarray]  # names and phones: one per grid cell, then per user
    seconds: float = 0.0


def demo_generate(*, people: int, seed: int, log: Log = _stderr, place: CityDistrict | None = None) -> DemoData:
    """Everything for ``people`` residents: ~people/10 buildings, ~people/2.5 houses,
    ~people/200 organizations, key sites in proportion to buildings. ``place``: which
    district of a city (demo.city; default the demo district alone)."""
    started = time.perf_counter()
    place = place or city_districts(1, seed)[0]
    seed = place.seed
    log(f"generating the demo district {place.name}: {people:,} people, seed {seed}")
    district = district_generate(seed, code=place.code, name=place.name, parent_code=place.parent_code)
    buildings = buildings_generate(district, count=max(1, round(people / 10)), people=people, seed=seed)
    houses = houses_generate(buildings, seed=seed)
    residents = people_generate(rng_for(seed, "people"), house_use=houses.use, people=people,
                                reference=REFERENCE_DATE, home_region=place.region,
                                city_regions=place.city_regions, slot=place.index, slots=place.count)
    # Occupied houses left without a household (only when houses outnumber people) are vacant.
    unoccupied = np.isin(houses.use, OCCUPIED_USES)
    unoccupied[residents.house] = False
    houses.use[unoccupied] = "vacant"
    users = DEMO_USERS if place.index == 0 else [
        DemoUser(f"{DISTRICT_ADMIN_PREFIX}{place.region}", Role.DISTRICT_ADMIN, place.code, "")]
    data = DemoData(
        seed=seed, district=district, buildings=buildings, houses=houses, people=residents,
        organizations=organizations_generate(district, buildings, count=max(1, round(people / 200)), seed=seed),
        key_sites=key_sites_generate(district, buildings, seed=seed),
        roads=roads_generate(district),
        users=users,
        user_contacts=contacts(rng_for(seed, "users"), len(district.cells) + len(users)),
    )
    _place(data, place)
    data.seconds = time.perf_counter() - started
    log(f"generated in {data.seconds:.1f} s ({buildings.dropped} buildings could not be placed)")
    return data


def _place(data: DemoData, place: CityDistrict) -> None:
    """Move the generated district to its place in the city and give its names its name."""
    if not place.index:
        return
    d = data.district
    d.areas[:] = [replace(a, boundary=place.move(np.array([a.boundary], dtype=object))[0]) for a in d.areas]
    b = data.buildings
    b.footprint, b.name, b.address = place.move(b.footprint), place.rename(b.name), place.rename(b.address)
    for places in (data.organizations, data.key_sites):
        places.geometry, places.name = place.move(places.geometry), place.rename(places.name)
    data.organizations.extra["address"] = place.rename(data.organizations.extra["address"])
    data.roads.geometry = place.move(data.roads.geometry)


# ----------------------------------------------------------------------------- wiping

def event_models(models: Iterable[type]) -> list[type]:
    """The django-pghistory event models tracking ``models``."""
    wanted = set(models)
    return [m for m in apps.get_models() if getattr(m, "pgh_tracked_model", None) in wanted]


def demo_wipe(log: Log = _stderr) -> None:
    """Empty the areas and the five basic databases, with their history, and delete the
    users that have a role (their areas are gone). Users without a role (operators made
    with createsuperuser) stay. TRUNCATE … CASCADE also empties every table that
    references these (users' area assignments, the personal-data access log, …)."""
    models = [Area, *COPIED_MODELS]
    tables = [m._meta.db_table for m in (*models, *event_models(models))]
    with connection.cursor() as cursor:
        # TRUNCATE refuses to run while foreign-key checks deferred earlier in the
        # transaction are pending (a caller's transaction, a test's): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    _total, deleted = User.objects.exclude(role="").delete()
    log(f"emptied {len(tables)} tables, deleted {deleted.get(User._meta.label, 0)} users with a role")


# ----------------------------------------------------------------------------- areas, users

def _geos(geom) -> GEOSGeometry:
    return GEOSGeometry(ewkb_hex(np.array([geom], dtype=object))[0])


def areas_create(district: District, *, progress: bool, city: Area | None = None) -> dict[str, Area]:
    """All areas through gis_core.services.area_create (hierarchy checks), parents first;
    the district under ``city`` if given."""
    created: dict[str, Area] = {}
    for spec in tqdm(district.areas, desc="gis_core_area", unit="rows", file=sys.stderr, disable=not progress):
        parent = city if city is not None and spec.parent_code == city.code else created.get(spec.parent_code)
        created[spec.code] = area_create(code=spec.code, name=spec.name, level=spec.level,
                                         parent=parent, boundary=_geos(spec.boundary))
    return created


def city_create(places: list[CityDistrict], *, seed: int) -> Area:
    """The city area above ``places`` (the union of their boundaries) and its login
    CITY_USER, a district administrator of the whole city."""
    outlines = [place.move(np.array([district_generate(place.seed, code=place.code).areas[0].boundary],
                                    dtype=object))[0] for place in places]
    city = area_create(code=CITY_CODE, name=CITY_NAME, level=AreaLevel.CITY, parent=None,
                       boundary=_geos(shapely.union_all(outlines)))
    names, phones = contacts(rng_for(seed, "city users"), 1)
    if not User.objects.filter(username=CITY_USER).exists():
        _login_create({"username": CITY_USER, "password": DEMO_PASSWORD, "role": Role.DISTRICT_ADMIN,
                       "areas": [city], "name": names[0], "phone": phones[0]})
    return city


def _login_create(fields: dict) -> None:
    user = user_create(**fields)
    if fields["password"] and otp_required_for(user):
        totp_device_set(user=user, secret_base32=DEMO_TOTP_SECRET)


def users_create(data: DemoData, areas: dict[str, Area], *, progress: bool, log: Log = _stderr) -> int:
    """The demo logins (DEMO_USERS, password DEMO_PASSWORD; those that need a second factor
    with an authenticator on DEMO_TOTP_SECRET) and a grid leader without a password for
    every other cell, through gis_core.services.user_create. An existing account with the
    same username is left as it is. Returns the number created."""
    names, phones = data.user_contacts
    cells = data.district.cells
    led = {u.area_code for u in data.users if u.role == Role.GRID_LEADER}
    wanted = [
        {"username": u.username, "password": DEMO_PASSWORD, "role": u.role, "areas": [areas[u.area_code]],
         "name": u.name or names[len(cells) + i], "phone": phones[len(cells) + i],
         "is_superuser": u.username in DEMO_SUPERUSERS}
        for i, u in enumerate(data.users)
    ] + [
        {"username": GRID_LEADER_PREFIX + c.code, "password": None, "role": Role.GRID_LEADER,
         "areas": [areas[c.code]], "name": names[c.index], "phone": phones[c.index]}
        for c in cells if c.code not in led
    ]
    existing = set(User.objects.filter(username__in=[w["username"] for w in wanted])
                   .values_list("username", flat=True))
    if existing:
        log(f"kept existing users {', '.join(sorted(existing))} (not overwritten)")
    for fields in tqdm(wanted, desc="gis_core_user", unit="rows", file=sys.stderr, disable=not progress):
        if fields["username"] not in existing:
            _login_create(fields)
    return len(wanted) - len(existing)


# ----------------------------------------------------------------------------- COPY

def _dates(values: np.ndarray) -> list:
    """datetime64[D] → 'YYYY-MM-DD' (None for NaT)."""
    text = np.datetime_as_string(values, unit="D").astype(object)
    text[np.isnat(values)] = None
    return text.tolist()


def _ids(start: int, n: int) -> list[int]:
    return list(range(start, start + n))


def _ids_by_code(model: type, codes: Iterable[str]) -> dict[str, int]:
    """Primary keys by code of PersonTag or KeySiteCategory rows; every code must exist."""
    ids = dict(model.objects.values_list("code", "id"))
    missing = set(codes) - set(ids)
    if missing:
        raise LookupError(f"{model._meta.verbose_name_plural} missing: {', '.join(sorted(missing))}")
    return ids


# Columns organizations and key sites share (their contact columns are named differently).
PLACE_COLUMNS = ("id", "created_at", "updated_at", "name", "building_id")


@dataclass
class _Table:
    """One COPY: the model, its columns and the rows as column lists (equal length)."""

    model: type
    columns: Sequence[str]
    values: Sequence[list] = field(repr=False)

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def __len__(self) -> int:
        return len(self.values[0]) if self.values else 0


class CopyLoader:
    """Writes DemoData with COPY into the tables of COPIED_MODELS, inside the caller's
    transaction."""

    def __init__(self, data: DemoData, *, progress: bool) -> None:
        self.data = data
        self.progress = progress
        self.first_id: dict[type, int] = {}
        self.seconds: dict[str, float] = {}
        self.rows: dict[str, int] = {}

    # ------------------------------------------------------------------ plumbing

    def _reserve_ids(self, cursor) -> None:
        """Start each table after both its largest id and its sequence, so no id is ever
        handed out twice (the tables are locked: see _history_paused)."""
        for model in COPIED_MODELS:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT GREATEST(COALESCE(MAX(id), 0), "
                f"COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')), 0)) + 1 FROM {table}",
                [table])
            self.first_id[model] = cursor.fetchone()[0]

    def _copy(self, raw_cursor, table: _Table) -> None:
        """COPY one table from its column lists (text format: psycopg formats each row),
        with a progress bar. The time includes the server's triggers and checks at the
        end of the statement, which the bar does not show."""
        started = time.perf_counter()
        n = len(table)
        statement = f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN"
        with raw_cursor.copy(statement) as copy, tqdm(total=n, desc=table.name, unit="rows", unit_scale=True,
                                                      file=sys.stderr, disable=not self.progress) as bar:
            for start in range(0, n, CHUNK):
                for row in zip(*(column[start:start + CHUNK] for column in table.values), strict=True):
                    copy.write_row(row)
                bar.update(min(CHUNK, n - start))
        self.seconds[table.name] = time.perf_counter() - started
        self.rows[table.name] = n

    @contextmanager
    def _history_paused(self, cursor) -> Iterator[None]:
        """Switch off the pghistory insert triggers (``snapshot_insert``) of the copied
        tables for this transaction; the derive_area triggers stay on.

        ALTER TABLE … DISABLE TRIGGER rather than pgtrigger.ignore: an ignored trigger
        still runs once per row to find out that it is ignored, which costs a third of
        a million-person load. The change is transactional (rolled back with a failed
        load, re-enabled before commit, never seen by other sessions), and it locks the
        tables (ACCESS EXCLUSIVE) until commit, which also keeps other writers from
        taking the ids reserved here. Foreign-key checks deferred earlier in the
        transaction are run first: ALTER TABLE refuses to run while they are pending."""
        tables = [m._meta.db_table for m in COPIED_MODELS]
        triggers = [(model._meta.db_table, trigger.get_pgid(model))
                    for model, trigger in pgtrigger.registered(*(f"{m._meta.label}:snapshot_insert"
                                                                 for m in COPIED_MODELS))]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        yield
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")

    # ------------------------------------------------------------------ tables

    def _tables(self, now: str) -> Iterator[_Table]:
        """The tables to copy, built lazily (one at a time in memory)."""
        d, first = self.data, self.first_id
        b, h, p = d.buildings, d.houses, d.people

        def stamps(n: int) -> tuple[list[str], list[str]]:  # created_at, updated_at
            return [now] * n, [now] * n

        yield _Table(Building, ("id", "created_at", "updated_at", "name", "address", "footprint", "floors",
                                "category", "is_key"),
                     (_ids(first[Building], len(b)), *stamps(len(b)), b.name.tolist(), b.address.tolist(),
                      ewkb_hex(shapely.multipolygons(b.footprint, indices=np.arange(len(b)))),
                      b.floors.tolist(), b.category.tolist(), b.is_key.tolist()))
        yield _Table(House, ("id", "created_at", "updated_at", "building_id", "unit", "floor", "room",
                             "floor_area", "use"),
                     (_ids(first[House], len(h)), *stamps(len(h)), (h.building + first[Building]).tolist(),
                      h.unit.tolist(), h.floor.tolist(), h.room.tolist(), h.floor_area.tolist(), h.use.tolist()))
        yield _Table(Person, ("id", "created_at", "updated_at", "name", "id_number", "id_verified", "gender",
                              "birth_date", "phone", "ethnicity", "residence_type", "nationality", "notes"),
                     (_ids(first[Person], len(p)), *stamps(len(p)), p.name.tolist(), p.id_number.tolist(),
                      p.id_verified.tolist(), p.gender.tolist(), _dates(p.birth_date), p.phone.tolist(),
                      p.ethnicity.tolist(), p.residence_type.tolist(), p.nationality.tolist(), [""] * len(p)))
        yield self._taggings(now)
        yield self._residences(now)
        yield self._organizations(now)
        yield self._key_sites(now)
        r = d.roads
        yield _Table(Road, ("id", "created_at", "updated_at", "name", "kind", "centreline"),
                     (_ids(first[Road], len(r)), *stamps(len(r)), r.name.tolist(), r.kind.tolist(),
                      ewkb_hex(r.geometry)))

    def _taggings(self, now: str) -> _Table:
        tags = self.data.people.tags
        tag_ids = _ids_by_code(PersonTag, tags)
        person = np.concatenate([tags[code] for code in tags])
        tag = np.concatenate([np.full(len(tags[code]), tag_ids[code]) for code in tags])
        order = np.lexsort((tag, person))
        return _Table(PersonTagging, ("id", "created_at", "person_id", "tag_id"),
                      (_ids(self.first_id[PersonTagging], len(person)), [now] * len(person),
                       (person[order] + self.first_id[Person]).tolist(), tag[order].tolist()))

    def _residences(self, now: str) -> _Table:
        """Current residences of everyone, then the earlier, moved-out ones."""
        p, first = self.data.people, self.first_id
        prev = p.previous
        n = len(p) + len(prev["person"])
        return _Table(Residence, ("id", "created_at", "updated_at", "person_id", "house_id", "relation",
                                  "is_primary", "moved_in", "moved_out"),
                      (_ids(first[Residence], n), [now] * n, [now] * n,
                       (np.concatenate([np.arange(len(p)), prev["person"]]) + first[Person]).tolist(),
                       (np.concatenate([p.house, prev["house"]]) + first[House]).tolist(),
                       np.concatenate([p.relation, prev["relation"]]).tolist(), [True] * n,
                       _dates(np.concatenate([p.moved_in, prev["moved_in"]])),
                       [None] * len(p) + _dates(prev["moved_out"])))

    def _place_values(self, model: type, places: Places, now: str) -> tuple[list, ...]:
        """PLACE_COLUMNS, then the contact's name and phone, of organizations or key sites."""
        n = len(places)
        building = np.where(places.building >= 0, places.building + self.first_id[Building], -1)
        return (_ids(self.first_id[model], n), [now] * n, [now] * n, places.name.tolist(),
                [None if i < 0 else i for i in building.tolist()], places.contact_name.tolist(),
                places.contact_phone.tolist())

    def _organizations(self, now: str) -> _Table:
        orgs = self.data.organizations
        return _Table(Organization, (*PLACE_COLUMNS, "contact_name", "contact_phone", "location", "kind",
                                     "credit_code", "address"),
                      (*self._place_values(Organization, orgs, now), ewkb_hex(orgs.geometry), orgs.code.tolist(),
                       orgs.extra["credit_code"].tolist(), orgs.extra["address"].tolist()))

    def _key_sites(self, now: str) -> _Table:
        sites = self.data.key_sites
        category_ids = _ids_by_code(KeySiteCategory, set(sites.code.tolist()))
        return _Table(KeySite, (*PLACE_COLUMNS, "responsible_name", "responsible_phone", "geometry",
                                "category_id", "risk_level", "notes"),
                      (*self._place_values(KeySite, sites, now), ewkb_hex(sites.geometry),
                       [category_ids[c] for c in sites.code.tolist()], sites.extra["risk_level"].tolist(),
                       [""] * len(sites)))

    # ------------------------------------------------------------------ checks

    def _check(self, cursor) -> None:
        """Every building got a grid cell; no history event was written for the rows."""
        cursor.execute(f"SELECT count(*) FROM {Building._meta.db_table} WHERE id >= %s AND area_id IS NULL",
                       [self.first_id[Building]])
        if cursor.fetchone()[0]:
            raise RuntimeError("some buildings got no area from the derive_area trigger")
        for event in event_models(COPIED_MODELS):
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {event._meta.db_table} WHERE pgh_obj_id >= %s)",
                           [self.first_id[event.pgh_tracked_model]])
            if cursor.fetchone()[0]:
                raise RuntimeError(f"history events were written to {event._meta.db_table}")

    def _sequences_fix(self, cursor) -> None:
        for model in COPIED_MODELS:
            table = model._meta.db_table
            if self.rows.get(table):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
                               [table])

    def load(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            now = cursor.fetchone()[0].isoformat()
            with self._history_paused(cursor):
                self._reserve_ids(cursor)
                for table in self._tables(now):
                    self._copy(cursor.cursor, table)
            self._check(cursor)
            self._sequences_fix(cursor)


# ----------------------------------------------------------------------------- entry point

@dataclass
class LoadReport:
    rows: dict[str, int]        # table → rows inserted
    seconds: dict[str, float]   # phase or table → seconds
    total_seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def demo_load(data: DemoData, *, replace: bool = False, progress: bool = True, log: Log = _stderr,
              city: Area | None = None) -> LoadReport:
    """Load ``data`` in one transaction (``replace``: wipe the previous district first;
    ``city``: the area above the district), then ANALYZE the tables."""
    started = time.perf_counter()
    seconds: dict[str, float] = {"generate": data.seconds}
    with transaction.atomic():
        if replace:
            demo_wipe(log)
        t = time.perf_counter()
        areas = areas_create(data.district, progress=progress, city=city)
        users = users_create(data, areas, progress=progress, log=log)
        # The tags and categories the people and key sites use (normally there since the
        # data migration, but a database flush empties them).
        defaults_load(PersonTag, KeySiteCategory)
        seconds["areas and users"] = time.perf_counter() - t
        loader = CopyLoader(data, progress=progress)
        loader.load()
        seconds.update(loader.seconds)
    t = time.perf_counter()
    tables = [Area._meta.db_table, *(m._meta.db_table for m in COPIED_MODELS)]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    seconds["analyze"] = time.perf_counter() - t
    rows = {Area._meta.db_table: len(areas), User._meta.db_table: users, **loader.rows}
    return LoadReport(rows=rows, seconds=seconds, total_seconds=time.perf_counter() - started + data.seconds)


def city_load(*, districts: int, people: int, seed: int, replace: bool = False, progress: bool = True,
              log: Log = _stderr) -> Iterator[tuple[CityDistrict, LoadReport]]:
    """``districts`` demo districts of ``people`` each under one city area, generated and
    loaded one by one (a transaction each: memory stays that of one district); yields each
    district with its report as it is loaded. One district is the demo district alone."""
    places = city_districts(districts, seed)
    city = None
    if districts > 1:
        with transaction.atomic():
            if replace:
                demo_wipe(log)
                replace = False
            city = city_create(places, seed=seed)
    for place in places:
        log(f"district {place.index + 1}/{districts}: {place.code} {place.name}")
        data = demo_generate(people=people, seed=seed, log=log, place=place)
        yield place, demo_load(data, replace=replace, progress=progress, log=log, city=city)
