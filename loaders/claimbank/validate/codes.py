"""The catalogue of problem codes: every problem ClaimBank reports has one of these stable codes.

A code never changes meaning once released; add new codes rather than reuse old ones. Every code here has at
least one case under ``tests/cases/invalid/<code>/`` (a test fails otherwise), and ``docs/errors.md`` is generated
from this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """A stable problem code with a one-line title and the hint shown to users."""

    name: str
    title: str
    hint: str


_CODES = (
    # Reading the file.
    Code("file-unreadable", "The file cannot be read", "check that the path exists and is readable"),
    Code("file-too-large", "The file is larger than the size limit", "split it, or raise --max-bytes"),
    Code(
        "path-outside-tree",
        "A file is a link to somewhere outside the folder it was found in; it was not read",
        "replace the link with the file itself, or name the file's real path",
    ),
    Code(
        "file-not-regular",
        "The path is not a regular file (a FIFO, socket or device); it was not read",
        "name a regular file; reading a FIFO or device could block or never end",
    ),
    Code(
        "output-refused",
        "The file could not be written in place (a link, not a regular file, or not writable); it is unchanged",
        "name the file a link points to, or make the file and its folder writable",
    ),
    Code(
        "internal-error",
        "Checking this file failed inside ClaimBank (a bug); every other file was still checked",
        "report the file and the message; `claimbank --debug validate FILE` shows the traceback",
    ),
    Code("file-empty", "The file is empty", "an annotation file holds one JSON object; see docs/format.md"),
    Code("not-utf8", "The file is not valid UTF-8", "re-save the file as UTF-8 (without a byte-order mark)"),
    Code("utf8-bom", "The file starts with a UTF-8 byte-order mark", "re-save the file as UTF-8 without BOM"),
    Code("json-syntax", "The file is not valid JSON", "fix the JSON at the line and column given"),
    Code(
        "json-duplicate-key",
        "An object has the same key twice",
        "JSON readers silently keep only one of them; remove the duplicate",
    ),
    Code(
        "json-nonfinite-number",
        "NaN or Infinity is not JSON",
        "use a finite number, or null",
    ),
    Code(
        "json-lone-surrogate",
        "A string holds half of a UTF-16 surrogate pair",
        "escape the whole character (both halves of the pair) or write it as UTF-8",
    ),
    Code("json-too-deep", "The JSON is nested too deeply", "an annotation file is only a few levels deep"),
    Code(
        "json-number-too-large",
        "An integer is beyond 2^53 and loses precision in JSON readers",
        "offsets and counts must stay below 9007199254740992",
    ),
    # The JSON Schema.
    Code(
        "schema-version",
        "The file declares a schema version this ClaimBank does not know",
        "set schema_version to a supported version, or upgrade claimbank",
    ),
    Code(
        "schema-outdated",
        "The file follows an older schema version (1.x) than this ClaimBank reads (2.0)",
        "run `claimbank migrate FILE-OR-FOLDER` to upgrade it in place (lossless; docs/format.md#versions)",
    ),
    Code("schema-required", "A required field is missing", "add the field; see docs/format.md"),
    Code("schema-unknown-field", "A field the schema does not define", "remove it or fix its spelling"),
    Code("schema-type", "A value has the wrong JSON type", "use the type the schema names"),
    Code("schema-unknown-value", "A value is not one of the allowed labels", "use one of the values listed"),
    Code("schema-pattern", "A string does not have the required form", "see the pattern in the message"),
    Code("schema-range", "A number or length is outside its allowed range", "see the bound in the message"),
    Code("schema-invalid", "The value breaks another rule of the schema", "see docs/format.md"),
    # Checks beyond the schema: the document and its seed.
    Code(
        "file-name-mismatch",
        "The file name does not match the document id",
        "name the file <id>.json so that tools can find it",
    ),
    Code("seed-missing", "The seed file named by the document does not exist", "add it under seeds/"),
    Code(
        "seed-text-mismatch",
        "The document text differs from its seed file",
        "never edit the text: copy the seed byte for byte",
    ),
    Code(
        "sha256-mismatch",
        "The sha256 does not match the document text",
        "recompute it over the UTF-8 bytes of the text",
    ),
    Code(
        "duplicate-document",
        "Two files hold the same document id",
        "keep one file per document; annotation sets of both go into it",
    ),
    Code(
        "timestamp-invalid",
        "A timestamp is not a real date and time",
        "use RFC 3339, e.g. 2026-11-24T12:00:00Z",
    ),
    # Checks beyond the schema: spans.
    Code(
        "offset-out-of-range", "A span ends beyond the end of the text", "offsets count code points into text"
    ),
    Code("offset-reversed", "A span starts after it ends", "swap start and end, or fix them"),
    Code("offset-empty", "A span is empty (start equals end)", "a span covers at least one character"),
    Code(
        "fragments-unordered",
        "A span's fragments are out of text order or overlap",
        "list the fragments in text order, each ending at or before the next one starts",
    ),
    Code(
        "fragments-hull",
        "A span in fragments does not start at its first fragment or end at its last",
        "set the span's start, end and text to the stretch from the first fragment's start to the last's end",
    ),
    Code(
        "span-text-mismatch",
        "A span's text differs from the document text at its offsets",
        "fix start/end or the text so that text == document.text[start:end]",
    ),
    Code(
        "span-offsets-utf16",
        "A span's offsets count UTF-16 code units, not code points",
        "convert the offsets to code points (Python str indices), as Label Studio 1.x does",
    ),
    Code(
        "span-offsets-utf8",
        "A span's offsets count UTF-8 bytes, not code points",
        "convert the offsets to code points (Python str indices)",
    ),
    Code(
        "span-offsets-crlf",
        "A span's offsets were computed on text with different line breaks",
        "compute offsets on the exact text, line breaks included",
    ),
    Code(
        "span-text-normalization",
        "A span's text differs from the document only by Unicode normalisation (NFC/NFD)",
        "copy the span text from the document text; do not normalise either",
    ),
    Code(
        "span-splits-character",
        "A span boundary falls inside a user-perceived character (combining mark, ZWJ sequence, ...)",
        "move the boundary to the edge of the whole character",
    ),
    Code(
        "span-edge-whitespace",
        "A span starts or ends with white space (guidelines §5: spans are trimmed)",
        "move start/end inward past the white space, and trim the span's text to match",
    ),
    # Checks beyond the schema: identifiers and references.
    Code(
        "duplicate-id",
        "An id is used twice",
        "ids are unique within an annotation set (spans, attributions, claims)",
    ),
    Code("reference-missing", "A reference names an id that does not exist", "point it at an existing id"),
    Code(
        "reference-wrong-label",
        "A reference points at a span or item of the wrong kind",
        "e.g. an attribution's cue must be a CUE span",
    ),
    Code("reference-self", "An item refers to itself", "point the reference at another item"),
    Code("reference-cycle", "References form a cycle", "break the cycle; references must lead somewhere"),
    Code(
        "nested-outside-content",
        "A nested attribution lies outside the content of the attribution it is nested in",
        "nested_in names the attribution whose CONTENT span contains this one",
    ),
    Code(
        "claimer-mismatch",
        "A claim's claimer does not agree with the attribution it names",
        "claimer 'source' goes with an attribution, 'unclaimed' with a non_attribution",
    ),
    Code(
        "source-type-mismatch",
        "A source type does not fit the attribution kind",
        "source_type 'nobody' is for the source of a non_attribution, and only for it",
    ),
    # Label Studio exports (claimbank ls import).
    Code(
        "ls-unknown-document", "A task names no known document", "import into the project the tasks came from"
    ),
    Code(
        "ls-text-mismatch",
        "A task's text differs from its document's text",
        "the text was edited or re-encoded on the way; re-export the tasks from ClaimBank",
    ),
    Code("ls-result-missing", "An annotation has no usable result list", "re-export with full annotations"),
    Code(
        "ls-unknown-from-name",
        "A result comes from a control that ClaimBank's config does not have",
        "label with the config from `claimbank ls config`",
    ),
    Code(
        "ls-region-without-text",
        "A region has no text",
        "export as JSON (not JSON_MIN) so regions keep their text",
    ),
    Code(
        "ls-relation-missing-region",
        "A relation points at a region that is not in the annotation",
        "delete the dangling relation in Label Studio",
    ),
    Code(
        "ls-malformed",
        "A part of a Label Studio export does not have the JSON type Label Studio writes there",
        "re-export the project as JSON from Label Studio; do not edit the export by hand",
    ),
    Code(
        "ls-duplicate-region",
        "Two regions of one annotation have the same id",
        "Label Studio keys a region's choices and relations by its id: give each region its own",
    ),
    Code("gold-multiple", "More than one annotation set is gold", "mark only the adjudicated set as gold"),
    # brat standoff files (claimbank brat import); pointers are /lines/<n>, counted from 1.
    Code(
        "brat-syntax",
        "A line of a .ann file is not brat standoff",
        "see brat's standoff format; fix the line",
    ),
    Code(
        "brat-offsets",
        "A text-bound annotation's offsets do not fit the text",
        "offsets are code points into the .txt, start < end <= its length",
    ),
    Code(
        "brat-text-mismatch",
        "A text-bound annotation's text is not the text at its offsets",
        "the .txt and the .ann do not belong together, or the offsets were counted in another unit",
    ),
    Code(
        "brat-broken-line",
        "A span's text has a line break and the following lines do not complete it",
        "brat keeps one annotation per line; fix the line by hand or re-export from brat",
    ),
    Code(
        "brat-unknown-label",
        "A brat label or event type is not in the label map",
        'add it to a --label-map file: a ClaimBank label, or "drop"',
    ),
    Code(
        "brat-label-map", "The label map file cannot be used", "see `claimbank brat label-map` for the form"
    ),
    Code(
        "brat-missing-text",
        "A .ann file has no .txt beside it",
        "name them <article>.txt and <article>.ann or <article>_<annotator>.ann",
    ),
    Code(
        "brat-name-clash",
        "Two article names become the same document id",
        "rename one of the files; ids keep only letters, digits, _ and -",
    ),
)

CODES: dict[str, Code] = {code.name: code for code in _CODES}


def hint_for(code: str) -> str:
    """The catalogue's hint for ``code``."""
    return CODES[code].hint
