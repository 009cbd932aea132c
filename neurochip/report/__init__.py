"""Presentation apart from logic: terminal tables, figures, the HTML page and report files, all
built from the results the library returns."""
from . import plots, terminal
from .files import check_writable, write_compare, write_json, write_learning
from .progress import counted, stages

__all__ = ["check_writable", "counted", "plots", "stages", "terminal", "write_compare", "write_json", "write_learning"]
