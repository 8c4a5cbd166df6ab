"""ClaimBank on Apache Spark: pre-annotate, validate and build at crawl scale, with the same rows as one machine.

``runtime`` finds pyspark and Java and starts the session; ``inputs`` lists the work on the driver and reads it on
the executors; ``predict`` is the pluggable pre-annotator (rules, or a model folder shipped to executors);
``partition`` is what runs per partition; ``job`` puts it together; ``command`` is ``claimbank spark``;
``submit`` is the entry script for ``spark-submit``. See docs/spark.md.
"""
