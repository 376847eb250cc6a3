//! Charts drawn with plotters, generic over the backend: canvas in the browser, SVG in native tests.
