"""External formats, one room each (``claimbank.io.<format>``): converters both ways, a client where the format
has a server, and the ``claimbank <format>`` command. ``claimbank.io.registry`` lists them."""
