/* claimbank._fastcheck: two steps of claimbank.fastpath's "is this file certainly valid?" in C.
 *
 * Optional: claimbank.fastpath has the same two functions in Python and uses them when this module is not built
 * (no compiler), and the tests run both against the full validator. Neither function ever decides that a file
 * is invalid in a way the user sees: False and None both send the file to the full validator, which explains.
 *
 *   setup(unset, fields, tags, claimer_kind, referents, fromisoformat)   once, from claimbank.fastpath
 *   document_fine(document, data, encoded, seed_path, stem) -> True | False | None
 *       document   what msgspec decoded from data, the file's bytes, into the types generated from the schema
 *       encoded    the document's text as UTF-8 (its SHA-256 is checked by the caller)
 *       seed_path  the seed file the text must equal, byte for byte (never through a symbolic link)
 *       stem       the file's name without .json, which must be the document's id, or None
 *   True: the document passes every check beyond the schema; False: it does not; None: not certain (nesting,
 *   refers_to chains, a character that may join the one before it at a span boundary): ask the Python version.
 *
 * Duplicate keys, which msgspec (like every fast reader) does not refuse, are caught by counting keys: those the
 * file spells out (its colons that follow a closing quote; see separates()) and those of the decoded document (its
 * set fields and tags) are equal only when the decoder dropped none. Escapes do not matter: an escaped colon is
 * never a separator. (The Python steps count every colon, those inside strings too, and so must leave files with
 * "\u003" to the full path.)
 *
 * The checks mirror claimbank.fastpath._set_fine and _references_fine; tests/test_fastpath.py holds the drift
 * tests. Ids are checked against ID_PATTERN by hand: claimbank.fastpath uses this module only when its
 * ID_PATTERN is claimbank.model's (and a test says so when they part).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h> /* PyMember_GetOne, in Python.h itself from 3.12 */
#include <fcntl.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>
#include <unistd.h>

#define ID_PATTERN "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$"
/* The patterns claimbank.fastpath.LATE_PATTERNS leaves out of the decoder (msgspec runs a regular expression
 * per value, which cost a sixth of the decode) for the checks below, by hand; fastpath uses this module only when
 * these are the schema's. */
#define DOCUMENT_ID_PATTERN "^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
#define SEED_PATTERN "^[A-Za-z0-9][A-Za-z0-9_.-]*\\.txt$"
#define LANGUAGE_PATTERN "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
#define TIMESTAMP_PATTERN                                                                                       \
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"

static PyObject *UNSET;         /* msgspec.UNSET */
static PyObject *FIELDS;        /* dict: struct type -> (field names tuple, tag value or None) */
static PyObject *TAGS;          /* dict: struct type -> tag value (span label, attribution kind, claimer) */
static PyObject *CLAIMER_KIND;  /* dict: claimer -> the attribution kind its attribution must have */
static PyObject *REFERENTS;     /* frozenset: the labels a refers_to may name */
static PyObject *FROMISOFORMAT; /* datetime.fromisoformat: a set's created_at must be a real time */

static PyObject *S_SPANS, *S_ATTRIBUTIONS, *S_CLAIMS, *S_ID, *S_START, *S_END, *S_TEXT,
    *S_CUE, *S_CONTENT, *S_SOURCE, *S_NESTED_IN, *S_REFERS_TO, *S_SOURCE_TYPE, *S_SPAN, *S_ATTRIBUTION,
    *S_MODALITY, *L_SOURCE, *L_CUE, *L_CONTENT, *L_CLAIM, *L_MODALITY, *K_NON_ATTRIBUTION, *T_NOBODY,
    *S_CREATED_AT, *S_GOLD, *S_ADJUDICATED_FROM, *S_ANNOTATION_SETS, *S_SEED, *S_LANGUAGE;

#define ABSENT(v) ((v) == Py_None || (v) == UNSET)

static PyObject *
setup(PyObject *self, PyObject *args)
{
    PyObject *unset, *fields, *tags, *claimer_kind, *referents, *fromisoformat;
    if (!PyArg_ParseTuple(args, "OO!O!O!OO", &unset, &PyDict_Type, &fields, &PyDict_Type, &tags, &PyDict_Type,
                          &claimer_kind, &referents, &fromisoformat))
        return NULL;
    /* What the C code takes on trust later: each FIELDS entry is (names, tag, members), with names and members
     * tuples of one length, and each member a descriptor of that very type (or None: looked up by name). */
    Py_ssize_t pos = 0;
    PyObject *type, *info;
    while (PyDict_Next(fields, &pos, &type, &info)) {
        if (!PyType_Check(type) || !PyTuple_CheckExact(info) || PyTuple_GET_SIZE(info) != 4 ||
            !PyTuple_CheckExact(PyTuple_GET_ITEM(info, 0)) || !PyTuple_CheckExact(PyTuple_GET_ITEM(info, 2)) ||
            !PyTuple_CheckExact(PyTuple_GET_ITEM(info, 3)) ||
            PyTuple_GET_SIZE(PyTuple_GET_ITEM(info, 0)) != PyTuple_GET_SIZE(PyTuple_GET_ITEM(info, 2))) {
            PyErr_SetString(PyExc_TypeError,
                            "fields: {type: (names, tag, members, nested)} with names and members alike");
            return NULL;
        }
        PyObject *names = PyTuple_GET_ITEM(info, 0), *members = PyTuple_GET_ITEM(info, 2);
        PyObject *nested = PyTuple_GET_ITEM(info, 3);
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(nested); i++) {
            PyObject *index = PyTuple_GET_ITEM(nested, i);
            Py_ssize_t at = PyLong_Check(index) ? PyLong_AsSsize_t(index) : -1;
            if (at < 0 || at >= PyTuple_GET_SIZE(members)) {
                PyErr_Clear();
                PyErr_SetString(PyExc_TypeError, "fields: nested must hold indices of fields");
                return NULL;
            }
        }
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(members); i++) {
            PyObject *member = PyTuple_GET_ITEM(members, i);
            if (!PyUnicode_CheckExact(PyTuple_GET_ITEM(names, i)) ||
                (member != Py_None && (!Py_IS_TYPE(member, &PyMemberDescr_Type) ||
                                       PyDescr_TYPE(member) != (PyTypeObject *)type))) {
                PyErr_SetString(PyExc_TypeError, "fields: a member that is not the type's own descriptor");
                return NULL;
            }
        }
    }
    Py_XSETREF(UNSET, Py_NewRef(unset));
    Py_XSETREF(FIELDS, Py_NewRef(fields));
    Py_XSETREF(TAGS, Py_NewRef(tags));
    Py_XSETREF(CLAIMER_KIND, Py_NewRef(claimer_kind));
    Py_XSETREF(REFERENTS, Py_NewRef(referents));
    Py_XSETREF(FROMISOFORMAT, Py_NewRef(fromisoformat));
    Py_RETURN_NONE;
}

static int
ready(void)
{
    if (UNSET == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "claimbank._fastcheck.setup() was not called");
        return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------------------------------------- fields */

/* FIELDS maps a struct type to (names, tag, members): its field names (interned by setup()'s caller, so the
 * interned names above find them by pointer), its tag value or None, and the member descriptors that hold the
 * fields, read directly rather than through attribute lookup. */

static PyObject *
info_of(PyObject *obj)
{
    PyObject *info = PyDict_GetItemWithError(FIELDS, (PyObject *)Py_TYPE(obj));
    if (info == NULL && !PyErr_Occurred())
        PyErr_SetString(PyExc_TypeError, "not a generated struct");
    return info;
}

/* The field a member descriptor holds, read straight from its slot as PyMember_GetOne would (msgspec's fields
 * are T_OBJECT_EX members), as a borrowed reference; NULL, with no error set, for anything else or an empty slot. */
static PyObject *
slot(PyObject *obj, PyObject *descr)
{
    if (!Py_IS_TYPE(descr, &PyMemberDescr_Type))
        return NULL;
    PyMemberDef *def = ((PyMemberDescrObject *)descr)->d_member;
    return def->type == T_OBJECT_EX ? *(PyObject **)((char *)obj + def->offset) : NULL;
}

static PyObject *
member(PyObject *obj, PyObject *info, Py_ssize_t i)
{
    PyObject *descr = PyTuple_GET_ITEM(PyTuple_GET_ITEM(info, 2), i), *value = slot(obj, descr);
    if (value != NULL)
        return Py_NewRef(value);
    if (Py_IS_TYPE(descr, &PyMemberDescr_Type)) /* anything else, and the error for an empty slot */
        return PyMember_GetOne((const char *)obj, ((PyMemberDescrObject *)descr)->d_member);
    return PyObject_GetAttr(obj, PyTuple_GET_ITEM(PyTuple_GET_ITEM(info, 0), i));
}

/* A field as a new reference, given its struct's info; UNSET when the type has no such field (refers_to is a
 * SOURCE span's). */
static PyObject *
field_in(PyObject *obj, PyObject *info, PyObject *name)
{
    PyObject *names = PyTuple_GET_ITEM(info, 0);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        if (PyTuple_GET_ITEM(names, i) == name)
            return member(obj, info, i);
    }
    return Py_NewRef(UNSET);
}

static PyObject *
field(PyObject *obj, PyObject *name)
{
    PyObject *info = info_of(obj);
    return info == NULL ? NULL : field_in(obj, info, name);
}

/* -------------------------------------------------------------------------------------------------- keys */

/* A colon at `at[k]` separates a key from its value, unless it is inside a string. In JSON a colon is one or the
 * other; the one before a value follows the key's closing quote (white space between), a quote not escaped, so
 * one after an even number of backslashes. Every separator is counted. A colon inside a string is counted only
 * when the string's text before it is white space after its opening quote (": x", rare): then the count is too
 * high and the file goes to the Python steps. Never too low, so a dropped key cannot go unseen. */
static int
separates(const char *at, Py_ssize_t k)
{
    Py_ssize_t j = k - 1;
    while (j >= 0 && (at[j] == ' ' || at[j] == '\t' || at[j] == '\n' || at[j] == '\r'))
        j--;
    if (j < 0 || at[j] != '"')
        return 0;
    Py_ssize_t backslashes = 0;
    while (j - 1 - backslashes >= 0 && at[j - 1 - backslashes] == '\\')
        backslashes++;
    return backslashes % 2 == 0;
}

/* How many keys the file (valid JSON: msgspec decoded it) spells out, or more; see separates(). Colons are
 * found sixteen bytes at a time with SSE2 (every x86-64 has it), else with memchr. */
static Py_ssize_t
keys_in_file(const char *at, Py_ssize_t length)
{
    Py_ssize_t count = 0, i = 0;
#ifdef __SSE2__
    const __m128i colons = _mm_set1_epi8(':');
    for (; i + 16 <= length; i += 16) {
        __m128i chunk = _mm_loadu_si128((const __m128i *)(at + i));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, colons));
        while (mask) {
            count += separates(at, i + __builtin_ctz(mask));
            mask &= mask - 1;
        }
    }
#endif
    const char *found, *end = at + length;
    for (const char *from = at + i; (found = memchr(from, ':', (size_t)(end - from))) != NULL; from = found + 1)
        count += separates(at, found - at);
    return count;
}

/* How many keys the decoded document had: each struct's tag, and each of its fields that is set (msgspec leaves
 * a field the file did not spell out UNSET), with the keys inside the fields that can hold structs (FIELDS'
 * `nested`: their indices). A key the decoder dropped (a duplicate: msgspec keeps the last) makes this fewer
 * than keys_in_file(). */
static Py_ssize_t
keys_in(PyObject *obj, int depth)
{
    if (depth > 64) {
        PyErr_SetString(PyExc_RecursionError, "too deep");
        return -1;
    }
    if (PyList_CheckExact(obj)) {
        Py_ssize_t total = 0;
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(obj); i++) {
            Py_ssize_t n = keys_in(PyList_GET_ITEM(obj, i), depth + 1);
            if (n < 0)
                return -1;
            total += n;
        }
        return total;
    }
    if (obj == Py_None || PyUnicode_CheckExact(obj) || PyLong_CheckExact(obj))
        return 0; /* in a field typed as holding structs, where null or a plain value may be allowed too */
    PyObject *info = PyDict_GetItemWithError(FIELDS, (PyObject *)Py_TYPE(obj));
    if (info == NULL) {
        if (!PyErr_Occurred()) /* no other kind of value comes out of the generated decoder */
            PyErr_Format(PyExc_TypeError, "unexpected %.100s in a decoded document", Py_TYPE(obj)->tp_name);
        return -1;
    }
    Py_ssize_t total = PyTuple_GET_ITEM(info, 1) != Py_None; /* the tag's key */
    PyObject *descriptors = PyTuple_GET_ITEM(info, 2), *nested = PyTuple_GET_ITEM(info, 3);
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(descriptors); i++) {
        PyObject *value = slot(obj, PyTuple_GET_ITEM(descriptors, i));
        if (value != NULL) { /* borrowed: only compared, never looked into */
            total += value != UNSET;
            continue;
        }
        value = member(obj, info, i);
        if (value == NULL)
            return -1;
        total += value != UNSET;
        Py_DECREF(value);
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(nested); i++) {
        PyObject *value = member(obj, info, PyLong_AsSsize_t(PyTuple_GET_ITEM(nested, i)));
        if (value == NULL)
            return -1;
        Py_ssize_t n = value == UNSET ? 0 : keys_in(value, depth + 1);
        Py_DECREF(value);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}

/* ------------------------------------------------------------------------------------------------ slices */

#define SAME_CHARS(WIDE, NARROW)                                                                                \
    do {                                                                                                        \
        const WIDE *a = (const WIDE *)text_data + start;                                                        \
        const NARROW *b = sub_data;                                                                             \
        for (Py_ssize_t i = 0; i < size; i++) {                                                                 \
            if (a[i] != b[i])                                                                                   \
                return 0;                                                                                       \
        }                                                                                                       \
        return 1;                                                                                               \
    } while (0)

/* 1 when text[start:start + len(sub)] == sub (the caller has checked that the slice lies inside text), else 0.
 * PyUnicode_Tailmatch compares strings of different widths one PyUnicode_READ at a time, which cost more than
 * the rest of a span's checks. A string is stored in the narrowest width its largest character needs, so a sub
 * wider than text cannot be equal (and a wrong 0 would only send the file to the full path). */
static int
same_slice(PyObject *text, Py_ssize_t start, PyObject *sub)
{
    Py_ssize_t size = PyUnicode_GET_LENGTH(sub);
    int text_kind = PyUnicode_KIND(text), sub_kind = PyUnicode_KIND(sub);
    const void *text_data = PyUnicode_DATA(text), *sub_data = PyUnicode_DATA(sub);
    if (text_kind == sub_kind)
        return memcmp((const char *)text_data + start * text_kind, sub_data, (size_t)(size * text_kind)) == 0;
    if (text_kind == PyUnicode_2BYTE_KIND && sub_kind == PyUnicode_1BYTE_KIND)
        SAME_CHARS(Py_UCS2, Py_UCS1);
    if (text_kind == PyUnicode_4BYTE_KIND && sub_kind == PyUnicode_1BYTE_KIND)
        SAME_CHARS(Py_UCS4, Py_UCS1);
    if (text_kind == PyUnicode_4BYTE_KIND && sub_kind == PyUnicode_2BYTE_KIND)
        SAME_CHARS(Py_UCS4, Py_UCS2);
    return 0;
}

/* ------------------------------------------------------------------------------------------- patterns */

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_LOWER(c) ((c) >= 'a' && (c) <= 'z')
#define IS_ALNUM(c) (IS_DIGIT(c) || IS_LOWER(c) || ((c) >= 'A' && (c) <= 'Z'))

/* DOCUMENT_ID_PATTERN: a letter or digit, then up to 127 of letters, digits, "_" and "-". */
static int
document_id_matches(const unsigned char *at, Py_ssize_t length)
{
    if (length < 1 || length > 128 || !IS_ALNUM(at[0]))
        return 0;
    for (Py_ssize_t i = 1; i < length; i++) {
        if (!IS_ALNUM(at[i]) && at[i] != '_' && at[i] != '-')
            return 0;
    }
    return 1;
}

/* SEED_PATTERN: a letter or digit, then letters, digits, "_", "." and "-", ending in ".txt" (whose characters
 * are all of those, so "a.txt" is the shortest). */
static int
seed_name_matches(const unsigned char *at, Py_ssize_t length)
{
    if (length < 5 || !IS_ALNUM(at[0]) || memcmp(at + length - 4, ".txt", 4) != 0)
        return 0;
    for (Py_ssize_t i = 1; i < length - 4; i++) {
        if (!IS_ALNUM(at[i]) && at[i] != '_' && at[i] != '.' && at[i] != '-')
            return 0;
    }
    return 1;
}

/* LANGUAGE_PATTERN: two or three lowercase letters, then any number of "-" and 2 to 8 letters or digits. */
static int
language_matches(const unsigned char *at, Py_ssize_t length)
{
    Py_ssize_t i = 0;
    while (i < length && IS_LOWER(at[i]))
        i++;
    if (i < 2 || i > 3)
        return 0; /* a longer run cannot be split: what follows the first letters must be "-" */
    while (i < length) {
        if (at[i] != '-')
            return 0;
        Py_ssize_t from = ++i;
        while (i < length && IS_ALNUM(at[i]))
            i++;
        if (i - from < 2 || i - from > 8)
            return 0; /* nor can a run of 9 or more, for the same reason */
    }
    return 1;
}

/* TIMESTAMP_PATTERN: YYYY-MM-DDTHH:MM:SS, a fraction of 1 to 9 digits or none, then Z or +HH:MM or -HH:MM. */
static int
timestamp_matches(const unsigned char *at, Py_ssize_t length)
{
    static const char shape[] = "0000-00-00T00:00:00"; /* 0: a digit, else that very character */
    Py_ssize_t i = 0;
    if (length < 20)
        return 0;
    for (; i < 19; i++) {
        if (shape[i] == '0' ? !IS_DIGIT(at[i]) : at[i] != shape[i])
            return 0;
    }
    if (at[i] == '.') {
        Py_ssize_t from = ++i;
        while (i < length && IS_DIGIT(at[i]))
            i++;
        if (i - from < 1 || i - from > 9)
            return 0;
    }
    if (i < length && at[i] == 'Z')
        return i + 1 == length;
    return i + 6 == length && (at[i] == '+' || at[i] == '-') && IS_DIGIT(at[i + 1]) && IS_DIGIT(at[i + 2]) &&
           at[i + 3] == ':' && IS_DIGIT(at[i + 4]) && IS_DIGIT(at[i + 5]);
}

typedef int (*matcher)(const unsigned char *, Py_ssize_t);

/* 1 when value is a str that matches, else 0 (every pattern above is ASCII only). */
static int
matches(matcher match, PyObject *value)
{
    if (!PyUnicode_CheckExact(value) || !PyUnicode_IS_ASCII(value))
        return 0;
    return match(PyUnicode_1BYTE_DATA(value), PyUnicode_GET_LENGTH(value));
}

/* -------------------------------------------------------------------------------------------------- seed */

/* 1 when the file at path (not through a symbolic link) holds exactly these bytes, 0 when not, -1 on error. */
static int
seed_matches(const char *path, const char *expected, Py_ssize_t length)
{
    int handle = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (handle < 0)
        return 0;
    /* One byte more than expected, so a longer file differs; a short read can only make the answer no. */
    char small[16384];
    size_t size = (size_t)length + 1;
    char *buffer = size <= sizeof small ? small : PyMem_Malloc(size);
    if (buffer == NULL) {
        close(handle);
        PyErr_NoMemory();
        return -1;
    }
    ssize_t got = read(handle, buffer, size);
    int matches = got == (ssize_t)length && memcmp(buffer, expected, (size_t)length) == 0;
    if (buffer != small)
        PyMem_Free(buffer);
    close(handle);
    return matches;
}

/* ---------------------------------------------------------------------------------------------- set_fine */

enum { FINE = 1, NOT_FINE = 0, UNSURE = 2, FAILED = -1 };

static PyObject *
sequence(PyObject *item, PyObject *name)
{
    PyObject *value = field(item, name);
    if (value == NULL || PyList_CheckExact(value))
        return value;
    Py_DECREF(value); /* UNSET: an empty list */
    return PyList_New(0);
}

static int
same_label(PyObject *labels, PyObject *span_id, PyObject *label)
{
    /* 1 when the span span_id exists with this label, 0 when not, -1 on error */
    if (ABSENT(span_id))
        return 0;
    PyObject *found = PyDict_GetItemWithError(labels, span_id);
    if (found == NULL)
        return PyErr_Occurred() ? -1 : 0;
    return PyUnicode_Compare(found, label) == 0;
}

static int
spans_fine(PyObject *spans, PyObject *text, PyObject *by_id, PyObject *labels, PyObject *every, int *refers)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    int unsure = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(spans); i++) {
        PyObject *span = PyList_GET_ITEM(spans, i), *info = info_of(span);
        PyObject *start_obj = info ? field_in(span, info, S_START) : NULL;
        PyObject *end_obj = start_obj ? field_in(span, info, S_END) : NULL;
        PyObject *span_text = end_obj ? field_in(span, info, S_TEXT) : NULL;
        PyObject *span_id = span_text ? field_in(span, info, S_ID) : NULL;
        int verdict = FINE;
        if (span_id == NULL) {
            verdict = FAILED;
            goto next;
        }
        Py_ssize_t start = PyLong_AsSsize_t(start_obj), end = PyLong_AsSsize_t(end_obj);
        if ((start == -1 || end == -1) && PyErr_Occurred()) {
            PyErr_Clear(); /* beyond Py_ssize_t: certainly outside the text */
            verdict = NOT_FINE;
            goto next;
        }
        if (!PyUnicode_CheckExact(span_text)) {
            verdict = NOT_FINE;
            goto next;
        }
        Py_ssize_t size = PyUnicode_GET_LENGTH(span_text);
        /* Equal non-empty slices also prove start < end; end past the text could still slice short. */
        if (size == 0 || start < 0 || end > length || end - start != size) {
            verdict = NOT_FINE;
            goto next;
        }
        if (!same_slice(text, start, span_text)) {
            verdict = NOT_FINE;
            goto next;
        }
        if (Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(span_text, 0)) ||
            Py_UNICODE_ISSPACE(PyUnicode_READ_CHAR(span_text, size - 1))) {
            verdict = NOT_FINE; /* white space at an edge */
            goto next;
        }
        Py_ssize_t offsets[2] = {start, end};
        for (int k = 0; k < 2; k++) {
            Py_ssize_t at = offsets[k];
            if (at <= 0 || at >= length)
                continue;
            Py_UCS4 here = PyUnicode_READ(kind, data, at), before = PyUnicode_READ(kind, data, at - 1);
            /* Below U+0300 no character joins the one before it; only CR LF or a ZWJ could join the two. */
            if (here >= 0x300 || before == '\r' || before == 0x200d)
                unsure = 1;
        }
        PyObject *target = field_in(span, info, S_REFERS_TO);
        if (target == NULL) {
            verdict = FAILED;
            goto next;
        }
        *refers |= !ABSENT(target);
        Py_DECREF(target);
        PyObject *tag = PyDict_GetItemWithError(TAGS, (PyObject *)Py_TYPE(span));
        if (tag == NULL || PyDict_SetItem(by_id, span_id, span) < 0 || PyDict_SetItem(labels, span_id, tag) < 0 ||
            PyList_Append(every, span_id) < 0) {
            verdict = PyErr_Occurred() ? FAILED : NOT_FINE;
        }
    next:
        Py_XDECREF(start_obj);
        Py_XDECREF(end_obj);
        Py_XDECREF(span_text);
        Py_XDECREF(span_id);
        if (verdict != FINE)
            return verdict;
    }
    return unsure ? UNSURE : FINE;
}

static int
refers_fine(PyObject *spans, PyObject *by_id, PyObject *labels)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(spans); i++) {
        PyObject *span = PyList_GET_ITEM(spans, i);
        PyObject *target = field(span, S_REFERS_TO);
        if (target == NULL)
            return FAILED;
        if (ABSENT(target)) {
            Py_DECREF(target);
            continue;
        }
        int verdict = FINE;
        PyObject *span_id = field(span, S_ID);
        if (span_id == NULL) {
            Py_DECREF(target);
            return FAILED;
        }
        PyObject *label = PyDict_GetItemWithError(labels, target);
        if (PyErr_Occurred())
            verdict = FAILED;
        else if (PyUnicode_Compare(target, span_id) == 0 || label == NULL)
            verdict = NOT_FINE;
        else {
            int allowed = PySet_Contains(REFERENTS, label);
            if (allowed <= 0)
                verdict = allowed < 0 ? FAILED : NOT_FINE;
            else {
                PyObject *onward = field(PyDict_GetItem(by_id, target), S_REFERS_TO);
                if (onward == NULL)
                    verdict = FAILED;
                else {
                    if (!ABSENT(onward))
                        verdict = UNSURE; /* a chain: the full path looks for cycles */
                    Py_DECREF(onward);
                }
            }
        }
        Py_DECREF(span_id);
        Py_DECREF(target);
        if (verdict != FINE)
            return verdict;
    }
    return FINE;
}

static int
attributions_fine(PyObject *attributions, PyObject *by_id, PyObject *labels, PyObject *kinds, PyObject *every)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(attributions); i++) {
        PyObject *a = PyList_GET_ITEM(attributions, i), *info = info_of(a);
        PyObject *a_id = info ? field_in(a, info, S_ID) : NULL;
        PyObject *cue = a_id ? field_in(a, info, S_CUE) : NULL;
        PyObject *content = cue ? field_in(a, info, S_CONTENT) : NULL;
        PyObject *source = content ? field_in(a, info, S_SOURCE) : NULL;
        PyObject *nested = source ? field_in(a, info, S_NESTED_IN) : NULL;
        PyObject *kind = nested ? PyDict_GetItemWithError(TAGS, (PyObject *)Py_TYPE(a)) : NULL;
        int verdict = FINE, same;
        if (kind == NULL) {
            verdict = PyErr_Occurred() ? FAILED : NOT_FINE;
            goto next;
        }
        if (PyDict_SetItem(kinds, a_id, kind) < 0 || PyList_Append(every, a_id) < 0) {
            verdict = FAILED;
            goto next;
        }
        if (!ABSENT(nested)) {
            verdict = UNSURE; /* nesting: the Python version checks it */
            goto next;
        }
        if ((same = same_label(labels, cue, L_CUE)) != 1 || (same = same_label(labels, content, L_CONTENT)) != 1) {
            verdict = same < 0 ? FAILED : NOT_FINE;
            goto next;
        }
        if (!ABSENT(source)) {
            if ((same = same_label(labels, source, L_SOURCE)) != 1) {
                verdict = same < 0 ? FAILED : NOT_FINE;
                goto next;
            }
            PyObject *source_type = field(PyDict_GetItem(by_id, source), S_SOURCE_TYPE);
            if (source_type == NULL) {
                verdict = FAILED;
                goto next;
            }
            int nobody = PyUnicode_Check(source_type) && PyUnicode_Compare(source_type, T_NOBODY) == 0;
            int non_attribution = PyUnicode_Compare(kind, K_NON_ATTRIBUTION) == 0;
            Py_DECREF(source_type);
            if (nobody != non_attribution)
                verdict = NOT_FINE;
        }
    next:
        Py_XDECREF(a_id);
        Py_XDECREF(cue);
        Py_XDECREF(content);
        Py_XDECREF(source);
        Py_XDECREF(nested);
        if (verdict != FINE)
            return verdict;
    }
    return FINE;
}

static int
claims_fine(PyObject *claims, PyObject *labels, PyObject *kinds, PyObject *every)
{
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(claims); i++) {
        PyObject *claim = PyList_GET_ITEM(claims, i), *info = info_of(claim);
        PyObject *c_id = info ? field_in(claim, info, S_ID) : NULL;
        PyObject *span = c_id ? field_in(claim, info, S_SPAN) : NULL;
        PyObject *modality = span ? field_in(claim, info, S_MODALITY) : NULL;
        int verdict = FINE, same;
        if (modality == NULL || PyList_Append(every, c_id) < 0) {
            verdict = FAILED;
            goto next;
        }
        if ((same = same_label(labels, span, L_CLAIM)) != 1) {
            verdict = same < 0 ? FAILED : NOT_FINE;
            goto next;
        }
        PyObject *claimer = PyDict_GetItemWithError(TAGS, (PyObject *)Py_TYPE(claim));
        PyObject *expected = claimer ? PyDict_GetItemWithError(CLAIMER_KIND, claimer) : NULL;
        if (PyErr_Occurred()) {
            verdict = FAILED;
            goto next;
        }
        if (expected != NULL) {
            PyObject *attribution = field_in(claim, info, S_ATTRIBUTION);
            if (attribution == NULL) {
                verdict = FAILED;
                goto next;
            }
            PyObject *got = PyDict_GetItemWithError(kinds, attribution);
            Py_DECREF(attribution);
            if (got == NULL)
                verdict = PyErr_Occurred() ? FAILED : NOT_FINE;
            else if (PyUnicode_Compare(got, expected) != 0)
                verdict = NOT_FINE;
            if (verdict != FINE)
                goto next;
        }
        if (PyList_CheckExact(modality)) {
            for (Py_ssize_t k = 0; k < PyList_GET_SIZE(modality); k++) {
                if ((same = same_label(labels, PyList_GET_ITEM(modality, k), L_MODALITY)) != 1) {
                    verdict = same < 0 ? FAILED : NOT_FINE;
                    goto next;
                }
            }
        }
    next:
        Py_XDECREF(c_id);
        Py_XDECREF(span);
        Py_XDECREF(modality);
        if (verdict != FINE)
            return verdict;
    }
    return FINE;
}

/* ID_PATTERN by hand: a letter or digit, then up to 127 of letters, digits, "_", ".", ":" and "-". */
static int
id_fine(PyObject *id)
{
    if (!PyUnicode_CheckExact(id) || !PyUnicode_IS_ASCII(id))
        return 0;
    Py_ssize_t length = PyUnicode_GET_LENGTH(id);
    const unsigned char *at = PyUnicode_1BYTE_DATA(id);
    if (length < 1 || length > 128)
        return 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        unsigned char c = at[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '.' && c != ':' && c != '-')))
            return 0;
    }
    return 1;
}

static int
ids_fine(PyObject *every, Py_ssize_t count)
{
    if (PyList_GET_SIZE(every) != count)
        return NOT_FINE;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!id_fine(PyList_GET_ITEM(every, i)))
            return NOT_FINE;
    }
    PyObject *unique = PySet_New(every);
    if (unique == NULL)
        return FAILED;
    Py_ssize_t distinct = PySet_GET_SIZE(unique);
    Py_DECREF(unique);
    return distinct == count ? FINE : NOT_FINE; /* else a duplicate id */
}

static int
set_fine(PyObject *item, PyObject *text)
{
    PyObject *spans = sequence(item, S_SPANS);
    PyObject *attributions = spans ? sequence(item, S_ATTRIBUTIONS) : NULL;
    PyObject *claims = attributions ? sequence(item, S_CLAIMS) : NULL;
    PyObject *by_id = PyDict_New(), *labels = PyDict_New(), *kinds = PyDict_New(), *every = PyList_New(0);
    int verdict = FAILED, unsure = 0, refers = 0;
    if (claims == NULL || by_id == NULL || labels == NULL || kinds == NULL || every == NULL)
        goto done;
    /* Spans first (an uncertain boundary still lets the rest be checked), then every other step; a step that is
     * not certain stops there and leaves the set to the Python version. */
    verdict = spans_fine(spans, text, by_id, labels, every, &refers);
    unsure = verdict == UNSURE;
    if (verdict == FAILED || verdict == NOT_FINE)
        goto done;
    verdict = attributions_fine(attributions, by_id, labels, kinds, every);
    if (verdict != FINE)
        goto done;
    verdict = claims_fine(claims, labels, kinds, every);
    if (verdict != FINE)
        goto done;
    verdict = ids_fine(every, PyList_GET_SIZE(spans) + PyList_GET_SIZE(attributions) + PyList_GET_SIZE(claims));
    if (verdict != FINE)
        goto done;
    if (refers) /* rare: most sets have no refers_to */
        verdict = refers_fine(spans, by_id, labels);
    if (verdict == FINE && unsure)
        verdict = UNSURE;
done:
    Py_XDECREF(spans);
    Py_XDECREF(attributions);
    Py_XDECREF(claims);
    Py_XDECREF(by_id);
    Py_XDECREF(labels);
    Py_XDECREF(kinds);
    Py_XDECREF(every);
    return verdict;
}


/* The checks of one annotation set's header: created_at a real time, adjudicated_from naming other sets. */
static int
header_fine(PyObject *item, PyObject *item_id, PyObject *set_ids, int *gold)
{
    PyObject *created_at = field(item, S_CREATED_AT);
    if (created_at == NULL)
        return FAILED;
    if (!matches(timestamp_matches, created_at)) {
        Py_DECREF(created_at);
        return NOT_FINE;
    }
    PyObject *time = PyObject_CallOneArg(FROMISOFORMAT, created_at); /* a real day and time */
    Py_DECREF(created_at);
    if (time == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError))
            return FAILED;
        PyErr_Clear();
        return NOT_FINE;
    }
    Py_DECREF(time);
    PyObject *is_gold = field(item, S_GOLD);
    if (is_gold == NULL)
        return FAILED;
    *gold += is_gold == Py_True;
    Py_DECREF(is_gold);
    PyObject *adjudicated = field(item, S_ADJUDICATED_FROM);
    if (adjudicated == NULL)
        return FAILED;
    int verdict = FINE;
    if (PyList_CheckExact(adjudicated)) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(adjudicated) && verdict == FINE; i++) {
            PyObject *other = PyList_GET_ITEM(adjudicated, i);
            int known = PySet_Contains(set_ids, other);
            if (known < 0)
                verdict = FAILED;
            else if (!known || PyObject_RichCompareBool(other, item_id, Py_EQ) != 0)
                verdict = PyErr_Occurred() ? FAILED : NOT_FINE;
        }
    }
    Py_DECREF(adjudicated);
    return verdict;
}

static int
sets_fine(PyObject *sets, PyObject *text)
{
    Py_ssize_t count = PyList_GET_SIZE(sets);
    PyObject *ids = PyList_New(count);
    if (ids == NULL)
        return FAILED;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *set_id = field(PyList_GET_ITEM(sets, i), S_ID);
        if (set_id == NULL) {
            Py_DECREF(ids);
            return FAILED;
        }
        PyList_SET_ITEM(ids, i, set_id);
    }
    int verdict = ids_fine(ids, count), gold = 0, unsure = 0;
    PyObject *set_ids = verdict == FINE ? PySet_New(ids) : NULL;
    if (verdict == FINE && set_ids == NULL)
        verdict = FAILED;
    for (Py_ssize_t i = 0; i < count && verdict == FINE; i++) {
        PyObject *item = PyList_GET_ITEM(sets, i);
        verdict = header_fine(item, PyList_GET_ITEM(ids, i), set_ids, &gold);
        if (verdict == FINE) {
            verdict = set_fine(item, text);
            if (verdict == UNSURE) {
                unsure = 1;
                verdict = FINE; /* check the rest: a certain "no" elsewhere still decides */
            }
        }
    }
    Py_DECREF(ids);
    Py_XDECREF(set_ids);
    if (verdict == FINE && gold > 1)
        verdict = NOT_FINE;
    return verdict == FINE && unsure ? UNSURE : verdict;
}

/* The document's id, seed and language match their patterns (before the seed's name is used to open it). */
static int
document_patterns_fine(PyObject *document, PyObject *doc_id)
{
    if (!matches(document_id_matches, doc_id))
        return NOT_FINE;
    PyObject *seed = field(document, S_SEED), *language = seed ? field(document, S_LANGUAGE) : NULL;
    int verdict = language == NULL                                               ? FAILED
                  : matches(seed_name_matches, seed) && matches(language_matches, language) ? FINE
                                                                                 : NOT_FINE;
    Py_XDECREF(seed);
    Py_XDECREF(language);
    return verdict;
}

/* For the tests: matches(name, value) with a pattern's name: document_id, seed, language or timestamp. */
static PyObject *
py_matches(PyObject *self, PyObject *args)
{
    const char *name;
    PyObject *value;
    if (!PyArg_ParseTuple(args, "sO", &name, &value))
        return NULL;
    matcher match = strcmp(name, "document_id") == 0 ? document_id_matches
                    : strcmp(name, "seed") == 0      ? seed_name_matches
                    : strcmp(name, "language") == 0  ? language_matches
                    : strcmp(name, "timestamp") == 0 ? timestamp_matches
                                                     : NULL;
    if (match == NULL) {
        PyErr_Format(PyExc_ValueError, "no pattern %s", name);
        return NULL;
    }
    return PyBool_FromLong(matches(match, value));
}

static PyObject *
document_fine(PyObject *self, PyObject *args)
{
    PyObject *document, *seed_path, *stem;
    Py_buffer data, encoded;
    if (!ready() || !PyArg_ParseTuple(args, "Oy*y*O&O", &document, &data, &encoded, PyUnicode_FSConverter,
                                      &seed_path, &stem))
        return NULL;
    int verdict = FAILED;
    PyObject *text = field(document, S_TEXT), *doc_id = text ? field(document, S_ID) : NULL;
    PyObject *sets = doc_id ? field(document, S_ANNOTATION_SETS) : NULL;
    if (sets == NULL || !PyUnicode_CheckExact(text))
        goto done;
    if (stem != Py_None) {
        int same = PyObject_RichCompareBool(stem, doc_id, Py_EQ);
        if (same <= 0) {
            verdict = same < 0 ? FAILED : NOT_FINE;
            goto done;
        }
    }
    verdict = document_patterns_fine(document, doc_id);
    if (verdict != FINE)
        goto done;
    verdict = FAILED;
    Py_ssize_t keys = keys_in(document, 0);
    if (keys < 0)
        goto done;
    if (keys != keys_in_file(data.buf, data.len)) {
        verdict = NOT_FINE; /* the decoder dropped a key (a duplicate), or a string starts with ':' */
        goto done;
    }
    verdict = seed_matches(PyBytes_AS_STRING(seed_path), encoded.buf, encoded.len);
    if (verdict != FINE)
        goto done;
    verdict = PyList_CheckExact(sets) ? sets_fine(sets, text) : FINE; /* UNSET: no sets */
done:
    Py_XDECREF(text);
    Py_XDECREF(doc_id);
    Py_XDECREF(sets);
    Py_DECREF(seed_path);
    PyBuffer_Release(&data);
    PyBuffer_Release(&encoded);
    if (verdict == FAILED)
        return NULL;
    if (verdict == UNSURE)
        Py_RETURN_NONE;
    return PyBool_FromLong(verdict == FINE);
}

/* ---------------------------------------------------------------------------------------------- module */

static PyMethodDef methods[] = {
    {"setup", setup, METH_VARARGS, "setup(unset, fields, tags, claimer_kind, referents, fromisoformat)"},
    {"document_fine", document_fine, METH_VARARGS,
     "document_fine(document, data, encoded, seed_path, stem) -> True, False or None (not certain)"},
    {"matches", py_matches, METH_VARARGS, "matches(pattern_name, value) -> bool: the hand-written patterns"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "claimbank._fastcheck", "The compiled steps of claimbank.fastpath.", -1, methods,
};

PyMODINIT_FUNC
PyInit__fastcheck(void)
{
#define INTERN(var, s)                                   \
    if ((var = PyUnicode_InternFromString(s)) == NULL) \
        return NULL;
    INTERN(S_SPANS, "spans");
    INTERN(S_ATTRIBUTIONS, "attributions");
    INTERN(S_CLAIMS, "claims");
    INTERN(S_ID, "id");
    INTERN(S_START, "start");
    INTERN(S_END, "end");
    INTERN(S_TEXT, "text");
    INTERN(S_CUE, "cue");
    INTERN(S_CONTENT, "content");
    INTERN(S_SOURCE, "source");
    INTERN(S_NESTED_IN, "nested_in");
    INTERN(S_REFERS_TO, "refers_to");
    INTERN(S_SOURCE_TYPE, "source_type");
    INTERN(S_SPAN, "span");
    INTERN(S_ATTRIBUTION, "attribution");
    INTERN(S_MODALITY, "modality");
    INTERN(L_SOURCE, "SOURCE");
    INTERN(L_CUE, "CUE");
    INTERN(L_CONTENT, "CONTENT");
    INTERN(L_CLAIM, "CLAIM");
    INTERN(L_MODALITY, "MODALITY");
    INTERN(K_NON_ATTRIBUTION, "non_attribution");
    INTERN(T_NOBODY, "nobody");
    INTERN(S_CREATED_AT, "created_at");
    INTERN(S_GOLD, "gold");
    INTERN(S_ADJUDICATED_FROM, "adjudicated_from");
    INTERN(S_ANNOTATION_SETS, "annotation_sets");
    INTERN(S_SEED, "seed");
    INTERN(S_LANGUAGE, "language");
#undef INTERN
    PyObject *made = PyModule_Create(&module);
    if (made == NULL)
        return NULL;
    PyObject *patterns = Py_BuildValue("{ssssssss}", "Document.id", DOCUMENT_ID_PATTERN, "Document.seed",
                                       SEED_PATTERN, "Document.language", LANGUAGE_PATTERN,
                                       "AnnotationSet.created_at", TIMESTAMP_PATTERN);
    if (PyModule_AddStringConstant(made, "ID_PATTERN", ID_PATTERN) < 0 ||
        PyModule_AddObject(made, "LATE_PATTERNS", patterns) < 0) {
        Py_XDECREF(patterns);
        Py_CLEAR(made);
    }
    return made;
}
