"""Prints where Splink's similarity functions for Spark are, for spark-submit's --jars."""

from __future__ import annotations

from splink.internals.spark.jar_location import similarity_jar_location

if __name__ == "__main__":
    print(similarity_jar_location())
