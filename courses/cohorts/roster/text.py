"""Cleaning what people type into spreadsheets: invisible characters, Thai
digits, "อ."/"ต." prefixes, province spellings."""

import functools
import re

from npv_site.accounts.provinces import PROVINCES

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
SPACES = re.compile(r"\s+")
PROVINCE_PREFIX = re.compile(r"^(จังหวัด|จ\.)\s*")
DISTRICT_PREFIX = re.compile(r"^(อำเภอ|อ\.)\s*")
SUBDISTRICT_PREFIX = re.compile(r"^(ตำบล|ต\.)\s*")
VILLAGE_NO_PREFIX = re.compile(r"^(หมู่ที่|หมู่|ม\.)\s*")
BANGKOK_SHORT = {"กรุงเทพ", "กรุงเทพฯ", "กทม", "กทม."}
PROVINCE_LOOKUP = {thai: thai for thai, _english in PROVINCES} | {
    english.lower(): thai for thai, english in PROVINCES
}

VillageKey = tuple[str, str, str, int]


def clean_text(value: str) -> str:
    value = INVISIBLE.sub("", value or "").replace("\xa0", " ")
    return SPACES.sub(" ", value).strip()


def clean_place(value: str, prefix: re.Pattern) -> str:
    """A district or sub-district name without its "อำเภอ"/"ต." prefix, so
    that "อ.ท่าแซะ" and "ท่าแซะ" are the same place."""
    return prefix.sub("", clean_text(value))


def clean_province(value: str) -> str | None:
    text = PROVINCE_PREFIX.sub("", clean_text(value))
    if text in BANGKOK_SHORT:
        return "กรุงเทพมหานคร"
    return PROVINCE_LOOKUP.get(text) or PROVINCE_LOOKUP.get(text.lower())


# The same villages come back from memberships, profiles and the register.
@functools.lru_cache(maxsize=100_000)
def village_key_of(province: str, district: str, subdistrict: str, village_no) -> VillageKey:
    """The comparable key of a village as a profile or the register spells it."""
    return (
        clean_text(province),
        clean_place(district, DISTRICT_PREFIX),
        clean_place(subdistrict, SUBDISTRICT_PREFIX),
        int(village_no),
    )
