"""newsbeam: news to tables with Apache Beam."""

__version__ = "0.5.0"
