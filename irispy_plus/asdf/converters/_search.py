"""
ASDF converters of sunpy Fido search results: `~sunpy.net.base_client.QueryResponseTable`
(and the client tables derived from it) and `~sunpy.net.fido_factory.UnifiedResponse`.

The rows are written as an astropy table (times and quantities keep their types), the
columns of Python objects as lists. The table class and the client are written by name
and restored only when they belong to sunpy.net or irispy_plus: loading a file never
imports a module the file names.
"""

import numpy as np
from asdf.extension import Converter

__all__ = ["QueryResponseTableConverter", "UnifiedResponseConverter"]

_TRUSTED_PACKAGES = ("sunpy.net.", "irispy_plus.")


def _qualified_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _plain(value):
    """
    An object-column value as YAML-friendly Python data.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return [_plain(item) for item in value.tolist()]
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _trusted_class(name, base, candidates):
    """
    The class called ``name`` among ``candidates`` (already imported classes derived
    from ``base``), or None.
    """
    if not name.startswith(_TRUSTED_PACKAGES):
        return None
    for cls in candidates:
        if _qualified_name(cls) == name and issubclass(cls, base):
            return cls
    return None


def _all_subclasses(cls):
    found = []
    for subclass in cls.__subclasses__():
        found.append(subclass)
        found.extend(_all_subclasses(subclass))
    return found


def _client_instance(name):
    from sunpy.net import Fido

    from irispy_plus.utils.logger import log

    cls = _trusted_class(name, object, list(Fido.registry))
    if cls is None:
        log.info("The search results were made by client %s, which is not registered with Fido.", name)
        return None
    if cls.__module__.startswith("sunpy.net.vso"):
        # Building a VSO client contacts the VSO; leave it to the user.
        return None
    try:
        return cls()
    except Exception as error:  # a client that cannot be built leaves None
        log.info("Could not rebuild the search client %s: %s", name, error)
        return None


class QueryResponseTableConverter(Converter):
    """
    ASDF converter of `sunpy.net.base_client.QueryResponseTable` and its subclasses in
    sunpy.net and irispy_plus.net.
    """

    tags = ("asdf://irispy-plus.org/tags/query_response_table-1.*",)
    types = (
        "sunpy.net.base_client.QueryResponseTable",
        "sunpy.net.dataretriever.client.QueryResponse",
        "irispy_plus.net._table.IRISHCRResponseTable",
    )

    def to_yaml_tree(self, table, tag, ctx):
        from astropy.table import Column, MaskedColumn, QTable

        plain = QTable()
        object_columns = {}
        for name in table.colnames:
            column = table[name]
            if getattr(column, "dtype", None) is not None and column.dtype.kind == "O":
                object_columns[name] = [_plain(value) for value in column]
            elif isinstance(column, MaskedColumn):
                plain[name] = MaskedColumn(column, copy=False)
            elif isinstance(column, Column):
                plain[name] = Column(column, copy=False)
            else:
                plain[name] = column
        # Table attributes (the client, display_keys, hide_keys) live in the meta under
        # "__attributes__"; they are written on their own below.
        plain.meta.update((key, value) for key, value in table.meta.items() if key != "__attributes__")
        client = table.client
        display_keys = table.display_keys
        node = {
            "table": plain,
            "column_order": list(table.colnames),
            "table_class": _qualified_name(type(table)),
            "client": None if client is None else _qualified_name(type(client)),
            "display_keys": None if isinstance(display_keys, slice) else list(display_keys),
            "hide_keys": None if table.hide_keys is None else list(table.hide_keys),
        }
        if object_columns:
            node["object_columns"] = object_columns
        return node

    def from_yaml_tree(self, node, tag, ctx):
        from astropy.table import Column
        from sunpy.net.base_client import QueryResponseTable

        import irispy_plus.net  # noqa: F401 - defines the irispy-plus table classes

        cls = _trusted_class(node["table_class"], QueryResponseTable, _all_subclasses(QueryResponseTable))
        cls = cls or QueryResponseTable
        table = node["table"]
        object_columns = node.get("object_columns", {})
        columns = []
        for name in node.get("column_order", table.colnames):
            if name in object_columns:
                values = np.empty(len(object_columns[name]), dtype=object)
                values[:] = object_columns[name]
                columns.append(Column(values, name=name, dtype=object))
            else:
                columns.append(table[name])
        result = cls(columns, meta=table.meta)
        if node.get("client"):
            result.client = _client_instance(node["client"])
        if node.get("display_keys") is not None:
            result.display_keys = node["display_keys"]
        if node.get("hide_keys") is not None:
            result.hide_keys = node["hide_keys"]
        return result


class UnifiedResponseConverter(Converter):
    """
    ASDF converter of `sunpy.net.fido_factory.UnifiedResponse`.
    """

    tags = ("asdf://irispy-plus.org/tags/unified_response-1.*",)
    types = ("sunpy.net.fido_factory.UnifiedResponse",)

    def to_yaml_tree(self, response, tag, ctx):
        return {"tables": [response[index] for index in range(len(response))]}

    def from_yaml_tree(self, node, tag, ctx):
        from sunpy.net.fido_factory import UnifiedResponse

        return UnifiedResponse(*node["tables"])
