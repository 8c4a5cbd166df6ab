"""brat standoff (PolNeAR): the ``.ann`` parser and paired converters (``convert``) and the ``claimbank brat``
command (``command``)."""
