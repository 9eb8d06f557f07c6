"""
Typed reading of FITS header keywords: each accessor checks the value's type and range and,
when it is wrong, raises an `IrispyPlusHeaderError` that names the file, the header and the
keyword, so that no damaged header reaches the readers as a raw ``ValueError``.
"""

import math
import numbers

from astropy.time import Time

from irispy_plus.utils.exceptions import IrispyPlusHeaderError

__all__ = ["Keywords"]

_REQUIRED = object()
_DEFAULT = object()
_ADVICE = "The file was altered or is damaged: use the original file from the IRIS archive."


class Keywords:
    """
    Typed access to the keywords of one header.

    Parameters
    ----------
    header : mapping
        The header (an `astropy.io.fits.Header` or a dict).
    name : str
        The file, for messages.
    where : str
        Which header, for messages (``"primary header"``, ``"extension 3"``).

    Examples
    --------
    >>> from astropy.io import fits
    >>> from irispy_plus._keywords import Keywords
    >>> keywords = Keywords(fits.Header({"NWIN": 8, "CDELT1": "abc"}), "a.fits", "primary header")
    >>> keywords.integer("NWIN", minimum=1)
    8
    >>> keywords.number("CDELT1")
    Traceback (most recent call last):
    ...
    irispy_plus.utils.exceptions.IrispyPlusHeaderError: a.fits: the primary header keyword CDELT1 \
is 'abc', not a number. The file was altered or is damaged: use the original file from the \
IRIS archive.
    """

    def __init__(self, header, name, where):
        self.header = header
        self.name = name
        self.where = where

    def error(self, key, problem):
        """
        The error saying that ``key`` has ``problem``.
        """
        return IrispyPlusHeaderError(f"{self.name}: the {self.where} keyword {key} {problem}. {_ADVICE}")

    def _value(self, key, default):
        """The header's value of ``key``, or ``_DEFAULT`` if it is missing and has a default."""
        if key in self.header:
            return self.header[key]
        if default is _REQUIRED:
            msg = f"{self.name}: the {self.where} lacks the keyword {key} that every IRIS Level 2 file has."
            raise IrispyPlusHeaderError(f"{msg} {_ADVICE}")
        return _DEFAULT

    def number(self, key, default=_REQUIRED, *, nonzero=False):
        """
        A finite real number (a FITS integer or float, not a string or a boolean).

        Parameters
        ----------
        key : str
            The keyword.
        default : float, optional
            The value if the keyword is missing; by default a missing keyword is an error.
        nonzero : bool, optional
            Refuse zero.

        Returns
        -------
        float

        Raises
        ------
        IrispyPlusHeaderError
            If the keyword is missing (and has no default), not a number, not finite or
            zero when ``nonzero``.
        """
        value = self._value(key, default)
        if value is _DEFAULT:
            return default
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self.error(key, f"is {value!r}, not a number")
        if not math.isfinite(value):
            raise self.error(key, f"is {value!r}, not a finite number")
        if nonzero and value == 0:
            raise self.error(key, "is 0, which cannot be")
        return float(value)

    def integer(self, key, default=_REQUIRED, *, minimum=None, maximum=None):
        """
        An integer (a float with a fractional part, a string or a boolean is refused).

        Parameters
        ----------
        key : str
            The keyword.
        default : int, optional
            The value if the keyword is missing; by default a missing keyword is an error.
        minimum, maximum : int, optional
            The allowed range, inclusive.

        Returns
        -------
        int

        Raises
        ------
        IrispyPlusHeaderError
            If the keyword is missing (and has no default), not an integer, or out of range.
        """
        value = self._value(key, default)
        if value is _DEFAULT:
            return default
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.error(key, f"is {value!r}, not an integer")
        value = int(value)
        if minimum is not None and value < minimum:
            raise self.error(key, f"is {value}, less than {minimum}")
        if maximum is not None and value > maximum:
            raise self.error(key, f"is {value}, more than {maximum}")
        return value

    def text(self, key, default=_REQUIRED):
        """
        A string, stripped.

        Raises
        ------
        IrispyPlusHeaderError
            If the keyword is missing (and has no default) or not a string.
        """
        value = self._value(key, default)
        if value is _DEFAULT:
            return default
        if not isinstance(value, str):
            raise self.error(key, f"is {value!r}, not text")
        return value.strip()

    def time(self, key):
        """
        A UTC time (ISO 8601 text such as ``2021-09-05T00:18:33.000``).

        Returns
        -------
        astropy.time.Time

        Raises
        ------
        IrispyPlusHeaderError
            If the keyword is missing, or not a time in a form astropy reads.
        """
        value = self.text(key)
        try:
            return Time(value, scale="utc")
        except ValueError:
            raise self.error(key, f"is {value!r}, not a date and time") from None
