"""The certificate's fonts: Sarabun, prepared so that a PDF's text reads back
as it was printed.

HarfBuzz's Thai shaper draws SARA AM (ำ) as NIKHAHIT + SARA AA, moving the
NIKHAHIT before a tone mark, and Sarabun then joins NIKHAHIT and tone mark in
one glyph. A PDF maps each glyph to one text, so the SARA AA glyph of ำ, ่ำ or
้ำ would need a different text from the SARA AA of า. The prepared font gives
that SARA AA (and the NIKHAHIT or NIKHAHIT-and-tone glyph before it) a copy of
its own, drawn identically, chosen by a contextual lookup appended to the
font's Thai `ccmp` feature: every glyph then stands for one text
(`GLYPH_TEXT`, which the renderer writes into the PDF).

`manage.py build_certificate_fonts` makes the prepared files again from the
upstream ones; both ship in certificates/static/certificates/fonts/.
"""

from __future__ import annotations

import copy
from pathlib import Path

from certificates.assets import STATIC_FOLDER  # noqa: F401  (the folder the paths below are in)

# Paths relative to the app's static folder (they ship in the app, with the OFL);
# certificate.css loads the prepared files (tests/test_certificate_fonts.py checks
# that it names these).
UPSTREAM_FILES = {
    "regular": "certificates/fonts/sarabun/Sarabun-Regular.ttf",
    "bold": "certificates/fonts/sarabun/Sarabun-Bold.ttf",
}
FONT_FILES = {
    "regular": "certificates/fonts/sarabun-npv/SarabunNPV-Regular.ttf",
    "bold": "certificates/fonts/sarabun-npv/SarabunNPV-Bold.ttf",
}
# Sarabun's OFL names no Reserved Font Name; a modified font still gets a
# name of its own, so that it is never taken for the upstream one.
FAMILY = "Sarabun NPV"
POSTSCRIPT_FAMILY = "SarabunNPV"

SARA_AA = "uni0E32"
NIKHAHIT = ("uni0E4D", "uni0E4D.narrow")
TONE_MARKS = {"0E48": "\u0e48", "0E49": "\u0e49", "0E4A": "\u0e4a", "0E4B": "\u0e4b"}
NIKHAHIT_WITH_TONE = {
    f"uni0E4D{tone}{narrow}": text
    for tone, text in TONE_MARKS.items()
    for narrow in ("", ".narrow")
}
SUFFIX = ".saraam"


def sara_am_copy(name: str) -> str:
    return name + SUFFIX


# What each copy stands for, in the order the glyphs are drawn: น้ำ is drawn
# น, NIKHAHIT-with-MAI-THO, SARA AA, and reads น + ้ + ำ. Without a tone mark
# ำ is two glyphs for one character: its NIKHAHIT stands for nothing and its
# SARA AA for the whole ำ.
GLYPH_TEXT = {
    sara_am_copy(SARA_AA): "\u0e33",
    **{sara_am_copy(name): "" for name in NIKHAHIT},
    **{sara_am_copy(name): text for name, text in NIKHAHIT_WITH_TONE.items()},
}


def prepare(upstream: Path):
    """The prepared font (a fontTools TTFont) made from an upstream Sarabun file."""
    from fontTools.ttLib import TTFont

    # The file's own timestamps are kept, so a rebuild gives the same bytes.
    font = TTFont(upstream, recalcTimestamp=False)
    before_sara_aa = [*NIKHAHIT, *NIKHAHIT_WITH_TONE]
    for name in (SARA_AA, *before_sara_aa):
        _copy_glyph(font, name, sara_am_copy(name))
    _add_sara_am_lookup(font, before_sara_aa)
    _rename(font)
    return font


def _copy_glyph(font, source: str, name: str) -> None:
    """A new glyph drawn, measured, classed and positioned as `source`; no
    character maps to it. Appended last, so every coverage it joins stays
    sorted by glyph id."""
    font.setGlyphOrder([*font.getGlyphOrder(), name])
    font["glyf"].glyphs[name] = copy.deepcopy(font["glyf"][source])
    font["glyf"].glyphOrder = font.getGlyphOrder()
    font["hmtx"][name] = font["hmtx"][source]
    gdef = font["GDEF"].table
    for class_def in (gdef.GlyphClassDef, gdef.MarkAttachClassDef):
        if class_def is not None and source in class_def.classDefs:
            class_def.classDefs[name] = class_def.classDefs[source]
    if getattr(gdef, "MarkGlyphSetsDef", None):
        for coverage in gdef.MarkGlyphSetsDef.Coverage:
            if source in coverage.glyphs:
                coverage.glyphs.append(name)
    for lookup in font["GPOS"].table.LookupList.Lookup:
        for subtable in lookup.SubTable:
            if lookup.LookupType == 9:
                subtable = subtable.ExtSubTable
            _copy_positioning(subtable, source, name)


def _copy_positioning(subtable, source: str, name: str) -> None:
    kind = type(subtable).__name__
    if kind == "PairPos" and subtable.Format == 1:
        glyphs = subtable.Coverage.glyphs
        if source in glyphs:
            glyphs.append(name)
            subtable.PairSet.append(copy.deepcopy(subtable.PairSet[glyphs.index(source)]))
        for pair_set in subtable.PairSet:
            for record in list(pair_set.PairValueRecord):
                if record.SecondGlyph == source:
                    twin = copy.deepcopy(record)
                    twin.SecondGlyph = name
                    pair_set.PairValueRecord.append(twin)
            pair_set.PairValueCount = len(pair_set.PairValueRecord)
        subtable.PairSetCount = len(subtable.PairSet)
    elif kind == "PairPos" and subtable.Format == 2:
        if source in subtable.Coverage.glyphs:
            subtable.Coverage.glyphs.append(name)
        # Class 0 is every glyph not listed: a copy of an unlisted glyph is
        # unlisted too.
        for class_def in (subtable.ClassDef1, subtable.ClassDef2):
            if source in class_def.classDefs:
                class_def.classDefs[name] = class_def.classDefs[source]
    elif kind == "MarkBasePos":
        _copy_records(subtable.MarkCoverage, subtable.MarkArray.MarkRecord, source, name)
        _copy_records(subtable.BaseCoverage, subtable.BaseArray.BaseRecord, source, name)
        subtable.MarkArray.MarkCount = len(subtable.MarkArray.MarkRecord)
        subtable.BaseArray.BaseCount = len(subtable.BaseArray.BaseRecord)
    elif kind == "MarkMarkPos":
        _copy_records(subtable.Mark1Coverage, subtable.Mark1Array.MarkRecord, source, name)
        _copy_records(subtable.Mark2Coverage, subtable.Mark2Array.Mark2Record, source, name)
        subtable.Mark1Array.MarkCount = len(subtable.Mark1Array.MarkRecord)
        subtable.Mark2Array.Mark2Count = len(subtable.Mark2Array.Mark2Record)
    elif source in _glyphs_in(subtable):
        # Sarabun's GPOS has only pair, mark-to-base and mark-to-mark
        # lookups; another kind would need handling here, not a silent skip.
        raise NotImplementedError(f"{source} in a {kind} subtable")


def _copy_records(coverage, records: list, source: str, name: str) -> None:
    if source in coverage.glyphs:
        records.append(copy.deepcopy(records[coverage.glyphs.index(source)]))
        coverage.glyphs.append(name)


def _glyphs_in(subtable) -> set:
    found = set()
    for value in vars(subtable).values():
        found.update(getattr(value, "glyphs", ()))
        found.update(getattr(value, "classDefs", {}))
    return found


def _add_sara_am_lookup(font, before_sara_aa: list[str]) -> None:
    """Appends to the Thai `ccmp` feature a chained contextual lookup that
    picks the copies: the NIKHAHIT (or NIKHAHIT with a tone) right before a
    SARA AA, and the SARA AA right after one. It runs after the font's own
    ccmp lookups (it is last in the lookup list), so it sees their results:
    the NIKHAHIT after ป ฝ ฟ already narrowed, the tone already joined."""
    from fontTools.ttLib.tables import otTables

    gsub = font["GSUB"].table
    lookups = gsub.LookupList.Lookup

    def lookup(kind: int, subtables: list):
        item = otTables.Lookup()
        item.LookupType, item.LookupFlag = kind, 0
        item.SubTable, item.SubTableCount = subtables, len(subtables)
        lookups.append(item)
        gsub.LookupList.LookupCount = len(lookups)
        return len(lookups) - 1

    single = otTables.SingleSubst()
    single.Format = 2
    single.mapping = {name: sara_am_copy(name) for name in (SARA_AA, *before_sara_aa)}
    to_copy = lookup(1, [single])

    def coverage(glyphs):
        item = otTables.Coverage()
        item.glyphs = sorted(glyphs, key=font.getGlyphID)
        return item

    def rule(backtrack, input_, lookahead):
        item = otTables.ChainContextSubst()
        item.Format = 3
        item.BacktrackCoverage = [coverage(backtrack)] if backtrack else []
        item.InputCoverage = [coverage(input_)]
        item.LookAheadCoverage = [coverage(lookahead)] if lookahead else []
        item.BacktrackGlyphCount = len(item.BacktrackCoverage)
        item.InputGlyphCount = 1
        item.LookAheadGlyphCount = len(item.LookAheadCoverage)
        record = otTables.SubstLookupRecord()
        record.SequenceIndex, record.LookupListIndex = 0, to_copy
        item.SubstLookupRecord, item.SubstCount = [record], 1
        return item

    copies = [sara_am_copy(name) for name in before_sara_aa]
    chained = lookup(
        6,
        [
            rule(None, before_sara_aa, [SARA_AA]),
            rule(copies, [SARA_AA], None),
        ],
    )

    thai_ccmp = set()
    for script in gsub.ScriptList.ScriptRecord:
        if script.ScriptTag != "thai":
            continue
        systems = [script.Script.DefaultLangSys, *(r.LangSys for r in script.Script.LangSysRecord)]
        for system in filter(None, systems):
            for index in system.FeatureIndex:
                if gsub.FeatureList.FeatureRecord[index].FeatureTag == "ccmp":
                    thai_ccmp.add(index)
    if not thai_ccmp:
        raise ValueError("the font has no Thai ccmp feature to extend")
    # The same feature, not a second ccmp: HarfBuzz would merge two, other
    # engines might apply only one.
    for index in thai_ccmp:
        feature = gsub.FeatureList.FeatureRecord[index].Feature
        feature.LookupListIndex.append(chained)
        feature.LookupCount = len(feature.LookupListIndex)


def _rename(font) -> None:
    names = font["name"]
    style = names.getDebugName(2)
    postscript = f"{POSTSCRIPT_FAMILY}-{style.replace(' ', '')}"
    version = names.getDebugName(5)
    for name_id, text in {
        1: FAMILY,
        3: f"{font['head'].fontRevision:.3f};NPV;{postscript}",
        4: f"{FAMILY} {style}",
        5: f"{version}; NPV: SARA AM glyphs for text extraction",
        6: postscript,
        10: (
            "Sarabun by Cadson Demak, modified for Net Pracharat Volunteer certificates: "
            "copies of SARA AA, NIKHAHIT and NIKHAHIT with tone marks for SARA AM."
        ),
    }.items():
        names.setName(text, name_id, 3, 1, 0x409)
