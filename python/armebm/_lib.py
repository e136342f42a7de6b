"""Finding and binding libarmebm (ctypes: nothing is compiled at import)."""
import ctypes
import os

_here = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("ARMEBM_LIB")
    if env:
        # an explicit choice is the only one tried: a wrong path must not fall back silently
        return [env]
    found = []
    # importing from the source tree (PYTHONPATH=python) after an in-tree build
    found.append(os.path.join(_here, "..", "..", ".libs", "libarmebm.so"))
    try:  # written by `make` next to the installed package: the configured libdir
        from . import _install
        found.append(os.path.join(_install.LIBDIR, "libarmebm.so"))
    except ImportError:
        pass
    found.append("libarmebm.so.0")  # the dynamic loader's own search (ldconfig, LD_LIBRARY_PATH)
    return found


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("armebm: cannot load libarmebm; tried: " + "; ".join(tried)
                      + ". Build it (make) or set ARMEBM_LIB to the path of libarmebm.so")


lib, path = _load()

_dp = ctypes.POINTER(ctypes.c_double)
_map_args = [ctypes.c_int, ctypes.c_long, ctypes.c_long, ctypes.c_long, _dp, _dp,
             ctypes.c_char_p, ctypes.c_size_t]
for _name in ("ae_map_d", "ae_unmap_d"):
    getattr(lib, _name).argtypes = _map_args
    getattr(lib, _name).restype = ctypes.c_int


class CheckOpts(ctypes.Structure):
    _fields_ = [("tol", ctypes.c_double), ("atol", ctypes.c_double), ("rtol", ctypes.c_double),
                ("centered", ctypes.c_int), ("mask_below", ctypes.c_double),
                ("prec", ctypes.c_long), ("max_prec", ctypes.c_long)]


class CheckResultC(ctypes.Structure):
    _fields_ = [("passed", ctypes.c_int), ("verdict", ctypes.c_int),
                ("kl_fwd_upper", ctypes.c_double), ("kl_rev_upper", ctypes.c_double),
                ("abs_err_upper", ctypes.c_double), ("rel_err_upper", ctypes.c_double),
                ("centered_err_upper", ctypes.c_double),
                ("abs_prompt", ctypes.c_long), ("abs_state", ctypes.c_long),
                ("abs_action", ctypes.c_long), ("prec", ctypes.c_long),
                ("message", ctypes.c_char * 512)]


def check_functions():
    """(ae_check_opts_init, ae_check_d), bound on first use; None when this library lacks them."""
    global _check
    if _check is None:
        try:
            init, run = lib.ae_check_opts_init, lib.ae_check_d
        except AttributeError:
            _check = False
        else:
            init.argtypes = [ctypes.POINTER(CheckOpts)]
            init.restype = None
            run.argtypes = [ctypes.POINTER(CheckResultC), ctypes.c_int, ctypes.c_long, ctypes.c_long,
                            ctypes.c_long, _dp, _dp, ctypes.POINTER(CheckOpts), ctypes.c_char_p,
                            ctypes.c_size_t]
            run.restype = ctypes.c_int
            _check = (init, run)
    return _check or None


_check = None


def has_check():
    return check_functions() is not None
