"""
Names and places that come from a server or a path template, checked before anything is written.

Every name the HCR gives (an observation id, a description, the last segment of a URL) that
becomes part of a path must be one plain path component; every download URL must be
``http(s)`` and end in a file name; every path made from a template must stay inside the
folder the user chose. Each refusal is an `~irispy_plus.utils.exceptions.IrispyPlusDownloadError`
that names the field and the value.
"""

import os
import string
import tempfile
import unicodedata
import urllib.parse
from pathlib import Path

from irispy_plus.utils.exceptions import IrispyPlusDownloadError

__all__ = [
    "check_folder",
    "check_url",
    "fill_template",
    "inside",
    "safe_component",
    "template_fields",
    "template_root",
]

_MAX_NAME = 255
_SCHEMES = ("http", "https")


def _problem(value):  # noqa: PLR0911 - one return per kind of problem
    """Why ``value`` is not one safe path component, or None."""
    if not isinstance(value, str):
        return f"is a {type(value).__name__}, not text"
    if value in ("", ".", ".."):
        return "is empty, '.' or '..'"
    if "/" in value or "\\" in value:
        return "holds a path separator"
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in value):
        return "holds NUL or another control character"
    if len(value.encode("utf-8", errors="surrogatepass")) > _MAX_NAME:
        return f"is longer than {_MAX_NAME} bytes"
    if value != value.strip():
        return "starts or ends with white space"
    return None


def safe_component(value, field, *, source=""):
    r"""
    Check that ``value`` can be used as one file or folder name, and return it.

    Parameters
    ----------
    value : str
        The name.
    field : str
        What it is (e.g. ``"OBSID"``, ``"{description}"``), for the message.
    source : str, optional
        Where it came from (a URL), for the message.

    Returns
    -------
    str
        ``value``, unchanged.

    Raises
    ------
    IrispyPlusDownloadError
        If it is empty, ``.`` or ``..``, holds ``/`` or ``\``, NUL or another control
        character, has white space at either end, or is longer than 255 bytes.

    Examples
    --------
    >>> from irispy_plus.net._safety import safe_component
    >>> safe_component("20210905_001833_3620258102", "Observation")
    '20210905_001833_3620258102'
    >>> safe_component("../../victim", "OBSID")
    Traceback (most recent call last):
    ...
    irispy_plus.utils.exceptions.IrispyPlusDownloadError: The OBSID '../../victim' holds a path separator, ...
    """
    problem = _problem(value)
    if problem is None:
        return value
    origin = f" (from {source})" if source else ""
    msg = (
        f"The {field} {value!r}{origin} {problem}, so it cannot be a file or folder name; "
        "nothing was written. Use another path template field (e.g. {obsid} or {file}), or "
        "report the search answer as damaged."
    )
    raise IrispyPlusDownloadError(msg)


def check_url(url):
    """
    Check a download URL before any request is made, and return its file name.

    Parameters
    ----------
    url : str
        The URL.

    Returns
    -------
    str
        The file name: the last segment of the URL's path, percent-decoded.

    Raises
    ------
    IrispyPlusDownloadError
        If the URL is not ``http`` or ``https`` with a host, or its last segment is not a
        safe file name (an URL ending in ``/`` or ``/..``, for example).

    Examples
    --------
    >>> from irispy_plus.net._safety import check_url
    >>> check_url("https://www.lmsal.com/a/iris_l2_x_raster.tar.gz?x=1")
    'iris_l2_x_raster.tar.gz'
    >>> check_url("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    irispy_plus.utils.exceptions.IrispyPlusDownloadError: The URL 'file:///etc/passwd' is not http(s) ...
    """
    if not isinstance(url, str):
        msg = f"A download URL must be text, not {type(url).__name__} ({url!r})."
        raise IrispyPlusDownloadError(msg)
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
        msg = (
            f"The URL {url!r} is not http(s) with a host; irispy-plus downloads only from "
            "http:// and https:// URLs. Nothing was requested."
        )
        raise IrispyPlusDownloadError(msg)
    name = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1])
    return safe_component(name, "file name at the end of the URL", source=url)


def template_fields(template):
    """
    The field names of a path template, in order (``"{obsid}/{file}"`` gives obsid, file).

    Parameters
    ----------
    template : str
        The template.

    Returns
    -------
    list of str

    Raises
    ------
    IrispyPlusDownloadError
        If the template is malformed (an unmatched brace), or a field uses attribute or
        index access (``{file.name}``, ``{obsid[0]}``) or a conversion.
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as error:
        msg = f"The path template {template!r} is malformed ({error}); write fields as {{obsid}}."
        raise IrispyPlusDownloadError(msg) from error
    fields = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or conversion or (spec and "{" in spec):
            msg = (
                f"The path template {template!r} has a field {{{name}}} that is not a plain "
                "name; write fields as {obsid}, {description}, {file}."
            )
            raise IrispyPlusDownloadError(msg)
        fields.append(name)
    return fields


def template_root(template):
    """
    The folder chosen by a path template: its fixed part before the first field.

    Parameters
    ----------
    template : str
        The template, e.g. ``"~/iris/{obsid}/{file}"``.

    Returns
    -------
    pathlib.Path
        The folder, ``~`` expanded (``~/iris`` for the example).
    """
    if not template_fields(template):
        return Path(template).expanduser()
    literal = next(iter(string.Formatter().parse(template)))[0].replace("{{", "{").replace("}}", "}")
    if not literal:
        return Path()
    root = Path(literal).expanduser()
    return root if literal.endswith(("/", os.sep)) else root.parent


def fill_template(template, values, allowed):
    """
    Fill a path template with checked values and check the result stays in its folder.

    Parameters
    ----------
    template : str
        The template.
    values : dict
        Field name to value; each value used must be a safe path component.
    allowed : collection of str
        The field names a template may use (for the message when one is unknown).

    Returns
    -------
    pathlib.Path
        The filled path, ``~`` expanded.

    Raises
    ------
    IrispyPlusDownloadError
        If a field is unknown, a value is not one safe path component, or the path leaves
        the template's folder.

    Examples
    --------
    >>> from irispy_plus.net._safety import fill_template
    >>> fill_template("/data/{obsid}/{file}", {"obsid": "3620258102", "file": "x"}, {"obsid", "file"})
    PosixPath('/data/3620258102/x')
    >>> fill_template("/data/{description}/{file}", {"description": "../..", "file": "x"},
    ...               {"description", "file"})
    Traceback (most recent call last):
    ...
    irispy_plus.utils.exceptions.IrispyPlusDownloadError: The {description} '../..' holds a path ...
    """
    fields = template_fields(template)
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        msg = (
            f"The path template {template!r} uses {', '.join('{' + f + '}' for f in unknown)}, which "
            f"is not a column; use any of {', '.join('{' + f + '}' for f in sorted(allowed))}."
        )
        raise IrispyPlusDownloadError(msg)
    checked = {name: safe_component(str(values[name]), "{" + name + "}") for name in fields}
    try:
        filled = Path(template.format(**checked)).expanduser()
    except (ValueError, KeyError, IndexError) as error:
        msg = f"The path template {template!r} cannot be filled ({error}); write fields as {{obsid}}."
        raise IrispyPlusDownloadError(msg) from error
    root = template_root(template)
    resolved_root = Path(os.path.abspath(root))
    if not Path(os.path.abspath(filled)).is_relative_to(resolved_root):
        msg = f"The path {str(filled)!r} made from {template!r} leaves the folder {str(root)!r}."
        raise IrispyPlusDownloadError(msg)
    return filled


def inside(path, folder):
    """
    Whether ``path``, with its links resolved, is inside ``folder`` (also resolved).

    Parameters
    ----------
    path, folder : path-like

    Returns
    -------
    bool
    """
    return Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(folder)))


def check_folder(folder):
    """
    Make ``folder`` if needed and check that files can be written in it.

    Parameters
    ----------
    folder : path-like
        The folder chosen for downloads.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    IrispyPlusDownloadError
        If it is a file, or it cannot be made or written in (read-only, ``/proc``, no
        permission).

    Examples
    --------
    >>> import tempfile
    >>> from irispy_plus.net import check_folder
    >>> check_folder(tempfile.mkdtemp()).is_dir()
    True
    """
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        msg = f"The download folder {str(folder)!r} is a file, not a folder; choose a folder."
        raise IrispyPlusDownloadError(msg)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".irispy-plus-write-test."):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        msg = f"Cannot write in the download folder {str(folder)!r} ({reason}); choose a writable folder."
        raise IrispyPlusDownloadError(msg) from error
    return folder
