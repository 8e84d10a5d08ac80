import { corsInChromium } from "./cors-suite.js";

// The real-browser suite (test/browser/cors-suite.ts) over plain HTTP/1.1.
corsInChromium("http");
