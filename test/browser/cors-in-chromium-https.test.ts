import { corsInChromium } from "./cors-suite.js";

// The real-browser suite (test/browser/cors-suite.ts) once more over HTTPS and HTTP/2 (SPEC section 10).
corsInChromium("https");
