"""``croissant.json``: Croissant 1.0 metadata (JSON-LD) of a built dataset, generated from the same feature definitions (``features.DEFINITIONS``).

One ``cr:FileSet`` per config (its Parquet shards) and one ``cr:RecordSet`` per config whose fields follow the
config's features: ``Value`` types map to schema.org types, a ``ClassLabel`` is its integer (the label names are in
the field's description), a struct is a field with ``subField``s, a list is ``repeated``. The Hub generates the
same kind of file for every Parquet dataset; ``mlcroissant`` validates and reads this one offline (the tests do).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from claimbank import __version__
from claimbank.dataset import features
from claimbank.dataset.features import Label, ListOf, Value

if TYPE_CHECKING:
    from claimbank.dataset.build import BuildStats

CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_TYPES = {
    "string": "sc:Text",
    "int64": "sc:Integer",
    "int32": "sc:Integer",
    "bool": "sc:Boolean",
    "float32": "sc:Float",
    "float64": "sc:Float",
}


def _field(
    parent: str, name: str, feature: Any, file_set: str, column: list[str], in_list: bool, left_out: list[str]
) -> dict[str, Any] | None:
    """The Croissant field of one feature, ``column`` being the path of Parquet columns that leads to it.

    mlcroissant 1.1 reads one level of lists of structs (a claim's ``modality``) but not a list inside a list of
    structs (``annotation_sets[].spans[]``) nor a list of structs inside a struct (an attribution's
    ``content.fragments[]``; it fails on an empty one): such a feature is left out, named in ``left_out``, and None
    returned.
    """
    uid = f"{parent}/{name}"
    item: dict[str, Any] = {"@type": "cr:Field", "@id": uid, "name": uid}
    repeated = isinstance(feature, ListOf)
    if repeated:
        if in_list or (len(column) > 1 and isinstance(feature.feature, dict)):
            left_out.append(uid)
            return None
        feature = feature.feature
        item["repeated"] = True
    if isinstance(feature, dict):
        subfields = (
            _field(uid, key, value, file_set, [*column, key], in_list or repeated, left_out)
            for key, value in feature.items()
        )
        item["subField"] = [subfield for subfield in subfields if subfield is not None]
    elif isinstance(feature, Label):
        item["dataType"] = "sc:Integer"
        item["description"] = "A label, as the index of its name in: " + ", ".join(feature.names)
    elif isinstance(feature, Value):
        item["dataType"] = _TYPES[feature.dtype]
    else:
        raise TypeError(f"no Croissant type for {feature!r}")
    item["source"] = _source(file_set, column)
    return item


def _source(file_set: str, column: list[str]) -> dict[str, Any]:
    source: dict[str, Any] = {"fileSet": {"@id": file_set}, "extract": {"column": column[0]}}
    if len(column) > 1:
        source["transform"] = {"jsonPath": ".".join(column[1:])}
    return source


def metadata(data_files: dict[str, dict[str, list[str]]], stats: BuildStats) -> dict[str, Any]:
    """The Croissant document as a dict."""
    from claimbank.dataset import card

    distribution = []
    record_sets = []
    for config in card.declared(data_files):
        file_set = f"parquet-files-for-config-{config}"
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": file_set,
                "name": file_set,
                "description": f"The Parquet shards of the {config} config (every split).",
                "encodingFormat": "application/x-parquet",
                "includes": f"data/{config}/*.parquet",
            }
        )
        left_out: list[str] = []
        fields = [
            _field(config, name, feature, file_set, [name], False, left_out)
            for name, feature in features.DEFINITIONS[config].items()
        ]
        description = features.DESCRIPTIONS[config]
        if left_out:
            description += (
                " Lists inside lists or structs are in the Parquet files but not described here (Croissant readers do not "
                f"read them yet): {', '.join(left_out)}; load this config with datasets for them."
            )
        record_sets.append(
            {
                "@type": "cr:RecordSet",
                "@id": config,
                "name": config,
                "description": description,
                "field": [field for field in fields if field is not None],
            }
        )
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "name": "ClaimBank",
        "description": card.DESCRIPTION,
        "version": __version__,
        "license": card.LICENSE_LINK,
        "citeAs": card.CITATION,
        "keywords": card.TAGS,
        "inLanguage": sorted(stats.languages),
        "distribution": distribution,
        "recordSet": record_sets,
    }


def render(data_files: dict[str, dict[str, list[str]]], stats: BuildStats) -> str:
    """``croissant.json``'s text (sorted keys are not used: JSON-LD readers expect ``@context`` first)."""
    return json.dumps(metadata(data_files, stats), ensure_ascii=False, indent=2) + "\n"
