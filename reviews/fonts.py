"""The PDFs' own font: a subset of Noto Serif CJK SC (regular and bold) holding the characters
official documents use, made once and kept under ``VAR_DIR/fonts`` (performance.md target 9).

Why: WeasyPrint subsets every face it embeds, once per PDF, and the cost grows with the highest
glyph id used. In the 65,535-glyph Noto CJK collection the Simplified Chinese full-width
punctuation (：，（）) sits at glyph ids 59,000–63,000, so every document paid nearly the
maximum, twice (regular and bold), and copied the 26 MB collection into memory for each face.
This subset (ASCII, Latin-1, general and CJK punctuation, full-width forms and the whole of
GB 2312: its 6,763 hanzi and 682 symbols) has its glyphs renumbered (about 13,300, with the
alternates its layout features can substitute) and weighs about 4.7 MB a face.

The style (``templates/reviews/pdf/_style.html``) names it first, as the family ``Xian Serif SC``
(@font-face rules built from ``font_faces()``), and the system ``Noto Serif CJK SC`` second: a
character outside the subset (生僻字 in a name) still comes from the full font. The outlines are
the same font's, so the documents look the same.

The subset is made with HarfBuzz-Subset (the library WeasyPrint itself subsets with) the first
time a process needs it, and kept: the file name carries a key of the source
file (path, face index, size, mtime) and of ``SUBSET_VERSION``, so a system font upgrade or a
change of the character set here makes a new file. Without HarfBuzz-Subset or without the
system font, ``font_faces()`` is empty and the PDFs use the system font as before.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

FAMILY = "Xian Serif SC"
SOURCE_FAMILY = "Noto Serif CJK SC"
SUBSET_VERSION = 4  # bump when the character set, the kept features or tables change
# (CSS weight, fontconfig weight) of the faces the documents use; h1's 900 gets the bold face,
# as it got the system bold before (fonts-noto-cjk has no heavier weight).
WEIGHTS = {"regular": (400, 80), "bold": (700, 200)}
# OpenType layout features kept: those HarfBuzz applies to horizontal text by default. 'locl'
# alone brings 5,500 glyphs (the Japanese, Korean and traditional forms) but must stay: without it
# a digit after a space in Latin text moved (test_subset_font_looks_exactly_like_the_system_font).
# Not the vertical ('vert', 'vrt2') nor the proportional ones ('palt', 'halt'): the style uses none.
FEATURES = ("ccmp", "locl", "kern", "liga", "clig", "calt", "rlig", "rclt", "mark", "mkmk")


def charset() -> list[int]:
    """The code points kept: ASCII, Latin-1, general punctuation, CJK symbols and punctuation,
    half- and full-width forms, and every character of GB 2312."""
    points = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | set(range(0x2000, 0x2070))
    points |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    decode = codecs.getdecoder("gb2312")
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                points.add(ord(decode(bytes((row, cell)))[0]))
            except UnicodeDecodeError:
                continue
    return sorted(points)


@dataclass(frozen=True)
class Face:
    weight: int  # CSS
    path: Path

    @property
    def css(self) -> str:
        return (
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {self.weight}; font-style: normal; '
            f'src: url("{self.path.as_uri()}"); }}'
        )


def font_dir() -> Path:
    return Path(settings.VAR_DIR) / "fonts"


def font_faces() -> list[Face]:
    """The subset faces, made if missing; empty when they cannot be made (then the documents
    use the system font), e.g. a read-only ``VAR_DIR``."""
    faces = []
    for name, (css_weight, fc_weight) in WEIGHTS.items():
        try:
            path = subset_face(name, fc_weight)
        except OSError:
            logger.warning("PDF font: cannot write under %s; the PDFs use the system font", font_dir(), exc_info=True)
            return []
        if path is None:
            return []
        faces.append(Face(css_weight, path))
    return faces


def subset_face(name: str, fc_weight: int) -> Path | None:
    """This face's subset file under ``font_dir()``, written if missing (atomically: processes
    and threads may race, each writes its own temporary file and the last rename wins)."""
    libs = _libs()
    if libs is None:
        return None
    source = _source(fc_weight)
    if source is None:
        logger.warning("PDF font: %s (weight %s) not found; the PDFs use the system font", SOURCE_FAMILY, fc_weight)
        return None
    file, index = source
    stat = os.stat(file)
    key = hashlib.sha256(f"{SUBSET_VERSION}|{file}|{index}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
    path = font_dir() / f"xian-serif-sc-{name}-{key[:12]}.otf"
    if path.exists():
        return path
    data = _subset(libs, file, index)
    if data is None:
        logger.warning("PDF font: could not subset %s index %s; the PDFs use the system font", file, index)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide it from a server running as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob(f"xian-serif-sc-{name}-*.otf"):  # earlier keys
        if old != path:
            old.unlink(missing_ok=True)
    return path


_CDEF = """
typedef ... hb_face_t; typedef ... hb_blob_t; typedef ... hb_set_t; typedef ... hb_subset_input_t;
typedef uint32_t hb_codepoint_t; typedef uint32_t hb_tag_t;
hb_blob_t * hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t * hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_clear (hb_set_t *set);
void hb_set_invert (hb_set_t *set);
hb_tag_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t * hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);

typedef ... FcPattern; typedef ... FcConfig; typedef unsigned char FcChar8; typedef int FcBool;
typedef enum { FcMatchPattern, FcMatchFont, FcMatchScan } FcMatchKind;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId,
    FcResultOutOfMemory } FcResult;
FcPattern * FcNameParse (const FcChar8 *name);
FcBool FcConfigSubstitute (FcConfig *config, FcPattern *p, FcMatchKind kind);
void FcDefaultSubstitute (FcPattern *pattern);
FcPattern * FcFontMatch (FcConfig *config, FcPattern *p, FcResult *result);
FcResult FcPatternGetString (const FcPattern *p, const char *object, int n, FcChar8 **s);
FcResult FcPatternGetInteger (const FcPattern *p, const char *object, int n, int *i);
void FcPatternDestroy (FcPattern *p);
"""
# hb_subset_sets_t and hb_subset_flags_t values (hb-subset.h)
_SET_UNICODE, _SET_DROP_TABLE_TAG, _SET_NAME_ID, _SET_NAME_LANG_ID, _SET_LAYOUT_FEATURE_TAG = 1, 3, 4, 5, 6
_FLAG_NOTDEF_OUTLINE, _FLAG_PASSTHROUGH_UNRECOGNIZED = 0x40, 0x20


@cache
def _libs():
    """(ffi, harfbuzz, harfbuzz-subset, fontconfig) or None. The same libraries WeasyPrint loads."""
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_CDEF)
        harfbuzz = _dlopen(ffi, "libharfbuzz.so.0", "harfbuzz", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
        subset = _dlopen(
            ffi, "libharfbuzz-subset.so.0", "harfbuzz-subset", "libharfbuzz-subset.0.dylib", "libharfbuzz-subset-0.dll"
        )
        fontconfig = _dlopen(ffi, "libfontconfig.so.1", "fontconfig", "libfontconfig.1.dylib", "libfontconfig-1.dll")
    except Exception:  # (no cffi or a library missing: the system font is used)
        logger.warning("PDF font: HarfBuzz-Subset or fontconfig not loadable; the PDFs use the system font")
        return None
    return ffi, harfbuzz, subset, fontconfig


def _dlopen(ffi, *names):
    error = None
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError as exc:
            error = exc
    raise error


def _source(fc_weight: int) -> tuple[str, int] | None:
    """(file, face index) of the system's Noto Serif CJK SC at this weight, as fontconfig
    (hence WeasyPrint) finds it; None if fontconfig's best match is another family."""
    ffi, _hb, _subset, fc = _libs()
    pattern = fc.FcNameParse(f"{SOURCE_FAMILY}:weight={fc_weight}".encode())
    if pattern == ffi.NULL:
        return None
    try:
        fc.FcConfigSubstitute(ffi.NULL, pattern, fc.FcMatchPattern)
        fc.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fc.FcFontMatch(ffi.NULL, pattern, result)
    finally:
        fc.FcPatternDestroy(pattern)
    if match == ffi.NULL:
        return None
    try:
        string, integer = ffi.new("FcChar8 **"), ffi.new("int *")
        if fc.FcPatternGetString(match, b"family", 0, string) != fc.FcResultMatch:
            return None
        if ffi.string(string[0]).decode() != SOURCE_FAMILY:
            return None
        if fc.FcPatternGetString(match, b"file", 0, string) != fc.FcResultMatch:
            return None
        file = ffi.string(string[0]).decode()
        index = integer[0] if fc.FcPatternGetInteger(match, b"index", 0, integer) == fc.FcResultMatch else 0
        if fc.FcPatternGetInteger(match, b"weight", 0, integer) == fc.FcResultMatch and integer[0] != fc_weight:
            return None  # e.g. only the regular face installed: no synthetic bold from a subset
        return file, index
    finally:
        fc.FcPatternDestroy(match)


def _subset(libs, file: str, index: int) -> bytes | None:
    ffi, hb, hbs, _fc = libs
    blob = hb.hb_blob_create_from_file_or_fail(os.fsencode(file))
    if blob == ffi.NULL:
        return None
    face = hb.hb_face_create(blob, index)
    hb.hb_blob_destroy(blob)
    subset_input = hbs.hb_subset_input_create_or_fail()
    if subset_input == ffi.NULL:
        hb.hb_face_destroy(face)
        return None
    try:
        unicodes = hbs.hb_subset_input_set(subset_input, _SET_UNICODE)
        for point in charset():
            hb.hb_set_add(unicodes, point)
        features = hbs.hb_subset_input_set(subset_input, _SET_LAYOUT_FEATURE_TAG)
        hb.hb_set_clear(features)
        for tag in FEATURES:
            hb.hb_set_add(features, hb.hb_tag_from_string(tag.encode(), -1))
        # Keep BASE (HarfBuzz drops it by default; HarfBuzz 6 cannot subset it, so it is passed
        # through as is: Noto's holds baseline coordinates only, no glyph ids). Pango aligns runs
        # of different fonts with it: without it a line starting with a character taken from the
        # system font moved by 0.2 mm.
        drop = hbs.hb_subset_input_set(subset_input, _SET_DROP_TABLE_TAG)
        hb.hb_set_clear(drop)
        for tag in ("DSIG", "JSTF", "LTSH", "PCLT"):
            hb.hb_set_add(drop, hb.hb_tag_from_string(tag.encode(), -1))
        for kind in (_SET_NAME_ID, _SET_NAME_LANG_ID):  # keep the whole name table (copyright, licence)
            names = hbs.hb_subset_input_set(subset_input, kind)
            hb.hb_set_clear(names)
            hb.hb_set_invert(names)
        hbs.hb_subset_input_set_flags(subset_input, _FLAG_NOTDEF_OUTLINE | _FLAG_PASSTHROUGH_UNRECOGNIZED)
        result = hbs.hb_subset_or_fail(face, subset_input)
        if result == ffi.NULL:
            return None
        try:
            out = hb.hb_face_reference_blob(result)
            length = ffi.new("unsigned int *")
            data = ffi.buffer(hb.hb_blob_get_data(out, length), length[0])[:]
            hb.hb_blob_destroy(out)
        finally:
            hb.hb_face_destroy(result)
        return data or None
    finally:
        hbs.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
