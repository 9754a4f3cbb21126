/*
 * erlen._speedups: C versions of per-request work that pure Python cannot make
 * cheaper.  Each has a pure-Python twin that stays the reference (the tests compare
 * them), and erlen runs without this module when it was not built or when
 * ERLEN_NO_EXTENSIONS=1 is set.
 *
 * decode_query (twin: url_decode in erlen/http/urls.py) parses a query string into a
 * multi-dict.  Pairs are split on "&" only and empty pairs are skipped; a pair
 * without "=" has an empty value; "+" is a space and "%XX" (two hex digits, either
 * case) a byte; any other "%" stays as it is; the bytes are UTF-8, and sequences
 * that are not valid UTF-8 go to the "erlen.url_quote" codec error handler, which
 * keeps them as "%XX".  Only ASCII input is handled here (every query string a
 * client percent-encodes); anything else is left to Python.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* ---- decode_query ------------------------------------------------------------ */

/* The arguments dict.__new__ is called with (it ignores them). */
static PyObject *empty_tuple = NULL;

/* Parts up to this many bytes are decoded in a buffer on the stack. */
#define STACK_BUFFER_SIZE 256

static int
hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decode data[start:end] of the ASCII string `qs` into a new str; `escaped` says
 * whether the part holds a "+" or a "%".  A part without either is a plain
 * substring (shared singletons for the empty and one-character ones). */
static PyObject *
decode_part(PyObject *qs, const char *data, Py_ssize_t start, Py_ssize_t end,
            int escaped)
{
    if (!escaped) {
        return PyUnicode_Substring(qs, start, end);
    }
    Py_ssize_t length = end - start;
    const char *part = data + start;
    char stack_buffer[STACK_BUFFER_SIZE];
    char *buffer = stack_buffer;
    if (length > STACK_BUFFER_SIZE) {
        buffer = PyMem_Malloc((size_t)length);
        if (buffer == NULL) {
            return PyErr_NoMemory();
        }
    }
    int has_percent = 0;
    Py_ssize_t out = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)part[i];
        if (c == '+') {
            buffer[out++] = ' ';
            continue;
        }
        if (c == '%') {
            has_percent = 1;
            if (i + 2 < length) {
                int high = hex_value((unsigned char)part[i + 1]);
                int low = hex_value((unsigned char)part[i + 2]);
                if (high >= 0 && low >= 0) {
                    buffer[out++] = (char)(high * 16 + low);
                    i += 2;
                    continue;
                }
            }
        }
        buffer[out++] = (char)c;
    }
    PyObject *result;
    if (has_percent) {
        result = PyUnicode_DecodeUTF8(buffer, out, "erlen.url_quote");
    }
    else {
        result = PyUnicode_DecodeASCII(buffer, out, "strict");
    }
    if (buffer != stack_buffer) {
        PyMem_Free(buffer);
    }
    return result;
}

/* Append `value` to the list of `key` in `target` (a dict or dict subclass, whose
 * own __setitem__ is bypassed as MultiDict's direct filling does). */
static int
add_pair(PyObject *target, PyObject *key, PyObject *value)
{
    PyObject *values = PyDict_GetItemWithError(target, key); /* borrowed */
    if (values != NULL) {
        return PyList_Append(values, value);
    }
    if (PyErr_Occurred()) {
        return -1;
    }
    values = PyList_New(1);
    if (values == NULL) {
        return -1;
    }
    Py_INCREF(value);
    PyList_SET_ITEM(values, 0, value);
    int status = PyDict_SetItem(target, key, values);
    Py_DECREF(values);
    return status;
}

/* Split the ASCII string `qs` into `target`, pair by pair. */
static int
fill(PyObject *target, PyObject *qs)
{
    const char *data = (const char *)PyUnicode_1BYTE_DATA(qs);
    Py_ssize_t length = PyUnicode_GET_LENGTH(qs);
    Py_ssize_t start = 0;
    while (start < length) {
        /* One pass over the pair: where "=" and "&" are, and what needs decoding. */
        Py_ssize_t equals = -1;
        int key_escaped = 0;
        int value_escaped = 0;
        Py_ssize_t end = start;
        for (; end < length; end++) {
            char c = data[end];
            if (c == '&') {
                break;
            }
            if (c == '=' && equals < 0) {
                equals = end;
            }
            else if (c == '+' || c == '%') {
                if (equals < 0) {
                    key_escaped = 1;
                }
                else {
                    value_escaped = 1;
                }
            }
        }
        if (end > start) {
            Py_ssize_t key_end = equals >= 0 ? equals : end;
            Py_ssize_t value_start = equals >= 0 ? equals + 1 : end;
            PyObject *key = decode_part(qs, data, start, key_end, key_escaped);
            if (key == NULL) {
                return -1;
            }
            PyObject *value = decode_part(qs, data, value_start, end, value_escaped);
            if (value == NULL) {
                Py_DECREF(key);
                return -1;
            }
            int status = add_pair(target, key, value);
            Py_DECREF(key);
            Py_DECREF(value);
            if (status < 0) {
                return -1;
            }
        }
        start = end + 1;
    }
    return 0;
}

PyDoc_STRVAR(decode_query_doc,
"decode_query(cls, query, /)\n"
"--\n"
"\n"
"Parse the ASCII string *query* into a new ``cls``, mapping each key to the list\n"
"of its values.  *cls* is a dict subclass that keeps ``dict.__new__``; it is made\n"
"as ``dict.__new__(cls)`` makes it, without calling its ``__init__``.\n"
"\n"
"Return None when *query* is not ASCII: the pure-Python parser handles that.");

static PyObject *
decode_query(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "decode_query() takes 2 positional arguments (%zd given)", nargs);
        return NULL;
    }
    PyObject *cls = args[0];
    PyObject *qs = args[1];
    if (!PyType_Check(cls) || !PyType_IsSubtype((PyTypeObject *)cls, &PyDict_Type)
        || ((PyTypeObject *)cls)->tp_new != PyDict_Type.tp_new) {
        PyErr_Format(PyExc_TypeError,
                     "decode_query() needs a dict subclass that keeps dict.__new__, not %R",
                     cls);
        return NULL;
    }
    if (!PyUnicode_Check(qs)) {
        PyErr_Format(PyExc_TypeError, "decode_query() needs a str, not %.100s",
                     Py_TYPE(qs)->tp_name);
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(qs) < 0) {
        return NULL;
    }
#endif
    if (!PyUnicode_IS_ASCII(qs)) {
        Py_RETURN_NONE;
    }
    PyObject *result = PyDict_Type.tp_new((PyTypeObject *)cls, empty_tuple, NULL);
    if (result == NULL) {
        return NULL;
    }
    if (fill(result, qs) < 0) {
        Py_DECREF(result);
        return NULL;
    }
    return result;
}


static PyMethodDef speedups_methods[] = {
    {"decode_query", (PyCFunction)(void (*)(void))decode_query, METH_FASTCALL,
     decode_query_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    "erlen._speedups",
    "C versions of erlen's query-string parser (pure-Python twin in erlen.http.urls).",
    0,
    speedups_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (empty_tuple == NULL) {
        empty_tuple = PyTuple_New(0);
        if (empty_tuple == NULL) {
            return NULL;
        }
    }
    return PyModule_Create(&speedups_module);
}
