"""GB 11643 ID numbers and GB 32100 credit codes, and what the person record takes from them."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from assets import services
from assets.identity import IdNumberError, credit_code_check_char, credit_code_validate, id_number_parse
from assets.models import Person
from tests.helpers import id_number


def test_a_published_example_parses():
    # The standard's own example: 11010519491231002X, a woman born 1949-12-31.
    info = id_number_parse("11010519491231002X")
    assert info == type(info)(region="110105", birth_date=dt.date(1949, 12, 31), gender="F")


def test_lowercase_x_is_accepted():
    assert id_number_parse("11010519491231002x").gender == "F"


@pytest.mark.parametrize("value, reason", [
    ("11010519491231002", "18 characters"),
    ("1101051949123100A2", "17 digits"),
    ("99010519491231002X", "province"),
    ("110105194902300021", "not a date"),
    ("110105209901010021", "impossible"),
    ("110105194912310021", "check character"),  # the example with a wrong last character
])
def test_invalid_numbers_say_why(value, reason):
    with pytest.raises(IdNumberError, match=reason):
        id_number_parse(value, today=dt.date(2026, 11, 23))


def test_person_takes_birth_date_and_gender_from_the_number(world):
    person = services.person_create(actor=world.users["root"], house=world.houses["hA"], name="张三",
                                    id_number=id_number("53010319620704003"))
    assert (person.birth_date, person.gender) == (dt.date(1962, 7, 4), "M")
    assert person.id_verified is False


def test_a_bad_checksum_is_refused_and_nothing_is_written(world):
    before = Person.objects.count()
    good = id_number("53010319620704003")
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=world.users["root"], house=world.houses["hA"], name="李四",
                               id_number=good[:-1] + ("1" if good[-1] != "1" else "2"))
    assert "check character" in exc.value.message_dict["id_number"][0]
    assert Person.objects.count() == before


def test_a_duplicate_number_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=world.users["root"], house=world.houses["hA"], name="重复",
                               id_number=world.people["pA"].id_number)
    assert "id_number" in exc.value.message_dict


def test_foreigners_need_no_number_but_not_chinese_nationality(world):
    person = services.person_create(actor=world.users["root"], house=world.houses["hF"], name="John Smith",
                                    residence_type="foreign", nationality="USA")
    assert person.id_number is None
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=world.users["root"], house=world.houses["hF"], name="X",
                               residence_type="foreign")
    assert "nationality" in exc.value.message_dict


def test_credit_codes():
    code = "91530103MA6K" + "00001"
    full = code + credit_code_check_char(code)
    assert credit_code_validate(full.lower()) == full
    wrong = full[:-1] + ("0" if full[-1] != "0" else "1")
    with pytest.raises(IdNumberError, match="check character"):
        credit_code_validate(wrong)
    with pytest.raises(IdNumberError, match="18 characters"):
        credit_code_validate("91530103MA6K0000I1")
