"""Label Studio: the labeling config and the paired converters (``convert``), a server client (``client``), the
import of an export (``imports``) and the ``claimbank ls`` command (``command``)."""
