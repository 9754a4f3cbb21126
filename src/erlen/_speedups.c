/*
 * erlen._speedups: C versions of the two pieces of per-request work that pure Python
 * cannot make cheaper.  Each has a pure-Python twin that stays the reference (the
 * tests compare them), and erlen runs without this module when it was not built or
 * when ERLEN_NO_EXTENSIONS=1 is set.
 *
 * decode_query (twin: url_decode in erlen/http/urls.py) parses a query string into a
 * multi-dict.  Pairs are split on "&" only and empty pairs are skipped; a pair
 * without "=" has an empty value; "+" is a space and "%XX" (two hex digits, either
 * case) a byte; any other "%" stays as it is; the bytes are UTF-8, and sequences
 * that are not valid UTF-8 go to the "erlen.url_quote" codec error handler, which
 * keeps them as "%XX".  Only ASCII input is handled here (every query string a
 * client percent-encodes); anything else is left to Python.
 *
 * ContextProxy (twin: the generated __getattribute__ in erlen/local.py) is the base
 * of the request, session, g and current_app proxies: reading an attribute of a
 * proxy looks up the current object in a context variable and reads the attribute
 * there, without a Python call per access.
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


/* ---- ContextProxy ------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *var;       /* the contextvars.ContextVar holding the current context */
    PyObject *attribute; /* the attribute of that context that is proxied, or NULL */
    PyObject *message;   /* the RuntimeError message when the variable is not set */
    PyObject *resolve;   /* what "_get_current_object" answers if the target has none */
} ContextProxyObject;

/* The proxied object (a new reference), or NULL with an exception set; *unbound
 * tells whether that exception is the RuntimeError of an unset variable. */
static PyObject *
proxy_target(ContextProxyObject *self, int *unbound)
{
    PyObject *value;
    *unbound = 0;
    if (PyContextVar_Get(self->var, NULL, &value) < 0) {
        return NULL;
    }
    if (value == NULL) {
        *unbound = 1;
        PyErr_SetObject(PyExc_RuntimeError, self->message);
        return NULL;
    }
    if (self->attribute == NULL) {
        return value;
    }
    PyObject *target = PyObject_GetAttr(value, self->attribute);
    Py_DECREF(value);
    return target;
}

static PyObject *
proxy_getattro(PyObject *op, PyObject *name)
{
    ContextProxyObject *self = (ContextProxyObject *)op;
    int unbound;
    PyObject *target = proxy_target(self, &unbound);
    if (target == NULL) {
        /* Unbound, a proxy is still an instance of its own class (isinstance). */
        if (unbound && PyUnicode_Check(name)
            && PyUnicode_CompareWithASCIIString(name, "__class__") == 0) {
            PyErr_Clear();
            Py_INCREF(Py_TYPE(op));
            return (PyObject *)Py_TYPE(op);
        }
        return NULL;
    }
    PyObject *result = PyObject_GetAttr(target, name);
    Py_DECREF(target);
    if (result == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)
        && PyUnicode_Check(name)
        && PyUnicode_CompareWithASCIIString(name, "_get_current_object") == 0) {
        PyErr_Clear();
        Py_INCREF(self->resolve);
        return self->resolve;
    }
    return result;
}

static int
proxy_setattro(PyObject *op, PyObject *name, PyObject *value)
{
    int unbound;
    PyObject *target = proxy_target((ContextProxyObject *)op, &unbound);
    if (target == NULL) {
        return -1;
    }
    int status = PyObject_SetAttr(target, name, value); /* value NULL: delete */
    Py_DECREF(target);
    return status;
}

static PyObject *
proxy_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"var", "attribute", "message", "resolve", NULL};
    PyObject *var, *attribute, *message, *resolve;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O!OUO:ContextProxy", keywords,
                                     &PyContextVar_Type, &var, &attribute, &message,
                                     &resolve)) {
        return NULL;
    }
    if (attribute != Py_None && !PyUnicode_Check(attribute)) {
        PyErr_Format(PyExc_TypeError, "ContextProxy() attribute must be a str or None, not %.100s",
                     Py_TYPE(attribute)->tp_name);
        return NULL;
    }
    ContextProxyObject *self = (ContextProxyObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    Py_INCREF(var);
    self->var = var;
    if (attribute != Py_None) {
        Py_INCREF(attribute);
        self->attribute = attribute;
    }
    Py_INCREF(message);
    self->message = message;
    Py_INCREF(resolve);
    self->resolve = resolve;
    return (PyObject *)self;
}

static int
proxy_traverse(PyObject *op, visitproc visit, void *arg)
{
    ContextProxyObject *self = (ContextProxyObject *)op;
    Py_VISIT(self->var);
    Py_VISIT(self->attribute);
    Py_VISIT(self->message);
    Py_VISIT(self->resolve);
    return 0;
}

static int
proxy_clear(PyObject *op)
{
    ContextProxyObject *self = (ContextProxyObject *)op;
    Py_CLEAR(self->var);
    Py_CLEAR(self->attribute);
    Py_CLEAR(self->message);
    Py_CLEAR(self->resolve);
    return 0;
}

static void
proxy_dealloc(PyObject *op)
{
    PyObject_GC_UnTrack(op);
    proxy_clear(op);
    Py_TYPE(op)->tp_free(op);
}

PyDoc_STRVAR(proxy_doc,
"ContextProxy(var, attribute, message, resolve)\n"
"--\n"
"\n"
"Base of erlen's context proxies: every attribute read, write and delete goes to\n"
"the current value of the context variable *var* (or to its *attribute*, if not\n"
"None).  While *var* is unset they raise RuntimeError(*message*), except that\n"
"``__class__`` answers the proxy's own class.  ``_get_current_object`` answers\n"
"*resolve* when the current object has no attribute of that name.");

static PyTypeObject ContextProxyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "erlen._speedups.ContextProxy",
    .tp_basicsize = sizeof(ContextProxyObject),
    .tp_dealloc = proxy_dealloc,
    .tp_getattro = proxy_getattro,
    .tp_setattro = proxy_setattro,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .tp_doc = proxy_doc,
    .tp_traverse = proxy_traverse,
    .tp_clear = proxy_clear,
    .tp_new = proxy_new,
};

static PyMethodDef speedups_methods[] = {
    {"decode_query", (PyCFunction)(void (*)(void))decode_query, METH_FASTCALL,
     decode_query_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    "erlen._speedups",
    "C versions of erlen's query-string parser and context proxy (pure-Python twins "
    "in erlen.http.urls and erlen.local).",
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
    if (PyType_Ready(&ContextProxyType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) {
        return NULL;
    }
    Py_INCREF(&ContextProxyType);
    if (PyModule_AddObject(module, "ContextProxy", (PyObject *)&ContextProxyType) < 0) {
        Py_DECREF(&ContextProxyType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
