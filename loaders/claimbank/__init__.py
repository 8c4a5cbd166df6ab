"""ClaimBank: news articles annotated for claims and their attribution, as standoff JSON and HF datasets.

The Python API::

    from claimbank import load_document, validate_paths
    report = validate_paths([Path("annotations")])   # every problem, as data
    document = load_document(Path("annotations/000_fb2fb690b74273a6.json"))   # a typed, validated Document
"""

__version__ = "0.1.0"

from claimbank.model import Document
from claimbank.problems import Problem, Report
from claimbank.validate import ValidationFailed, load_document, validate_paths

__all__ = [
    "Document",
    "Problem",
    "Report",
    "ValidationFailed",
    "__version__",
    "load_document",
    "validate_paths",
]
