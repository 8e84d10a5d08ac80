// `npm start`: the demo. Starts the sample backend (examples/sample-backend.mjs) on 127.0.0.1:8081 (or
// $SAMPLE_BACKEND_PORT), then `crossgate start` in store mode: an embedded SQLite store in .tmp/demo/
// (git-ignored, beside its last-good cache) seeded on first start with --seed examples/demo.yaml, the gateway
// on 127.0.0.1:8080 and the admin API on 127.0.0.1:9876. Extra arguments go to `crossgate start` and win
// (e.g. `npm start -- --store sqlite:/tmp/demo.db`, `npm start -- --config examples/demo.yaml`).
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { main } from "../dist/cli/main.js";
import { startSampleBackend } from "../examples/sample-backend.mjs";
import { demoCertificate, seedWithCertificate, startHttpsDemo } from "./demo-https.mjs";

const DATA_DIR = fileURLToPath(new URL("../.tmp/demo/", import.meta.url));
const DEMO_SEED = fileURLToPath(new URL("../examples/demo.yaml", import.meta.url));

const args = process.argv.slice(2);
/** The value given to `--flag VALUE` or `--flag=VALUE`, or undefined. */
const argValue = (flag) => {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i].startsWith(`${flag}=`)) return args[i].slice(flag.length + 1);
  }
  return undefined;
};

const storeArgs = [];
let storeNote = "";
if (argValue("--config") === undefined) {
  if (argValue("--store") === undefined && !process.env.CROSSGATE_STORE) {
    mkdirSync(DATA_DIR, { recursive: true });
    storeArgs.push("--store", `sqlite:${DATA_DIR}crossgate.db`);
    storeNote = `The demo's store is ${DATA_DIR}crossgate.db: delete .tmp/demo/ to start over.\n`;
  }
}
// The https half (scripts/demo-https.mjs) needs a certificate, made with openssl on first start.
const TLS_DIR = `${DATA_DIR}tls`;
let certificate;
let httpsNote;
if (argValue("--config") !== undefined) {
  httpsNote = "HTTPS demo: not started (it follows the store; run without --config).";
} else if (argValue("--seed") !== undefined) {
  httpsNote =
    "HTTPS demo: not started (--seed given: name a certificate in its tls.certificates to serve https).";
} else {
  try {
    certificate = demoCertificate(TLS_DIR);
  } catch (error) {
    httpsNote = `HTTPS demo: not started, the openssl command is needed to make its certificate (${error.message.split("\n")[0]}).`;
  }
  mkdirSync(DATA_DIR, { recursive: true });
  const seed = certificate ? seedWithCertificate(DEMO_SEED, certificate, `${DATA_DIR}seed.yaml`) : DEMO_SEED;
  storeArgs.push("--seed", seed);
}

const backendPort = Number(process.env.SAMPLE_BACKEND_PORT ?? 8081);
try {
  await startSampleBackend(backendPort);
} catch (error) {
  console.error(`the sample backend cannot listen on 127.0.0.1:${backendPort}: ${error.message}`);
  process.exit(1);
}

await main([process.argv[0], "crossgate", "start", ...storeArgs, ...args]);
if (process.exitCode) process.exit(process.exitCode);
// The same demo over https (a second gateway process on the same store): scripts/demo-https.mjs.
const storeUrl =
  argValue("--store") ?? storeArgs[storeArgs.indexOf("--store") + 1] ?? process.env.CROSSGATE_STORE;
const httpsLines =
  certificate && storeUrl !== undefined ? startHttpsDemo(storeUrl, certificate, TLS_DIR) : [httpsNote ?? ""];

const gw = `http://${argValue("--listen") ?? "127.0.0.1:8080"}`;
process.stderr.write(`
crossgate demo is running: gateway ${gw}, sample backend http://127.0.0.1:${backendPort}
Try the seed exchanges (README.md, "Try the seed exchanges with curl"; docs/cors.md explains each answer):

  # 1. Huawei toggle, backend without CORS headers: Access-Control-Allow-Origin: *
  curl -i ${gw}/simple -H 'Origin: http://www.cors.com'
  # 2. Huawei toggle, the backend's own Access-Control-Allow-Origin wins
  curl -i ${gw}/backend-cors -H 'Origin: http://www.cors.com'
  # 3. Huawei OPTIONS API: the permissive preflight, then the PUT
  curl -i -X OPTIONS ${gw}/ -H 'Origin: http://www.cors.com' -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: X-Sdk-Date'
  curl -i -X PUT ${gw}/simple -H 'Origin: http://www.cors.com'
  # 4. webMethods policy: 403 origin, 405 method, 403 header, 200, and an application's JavaScript origin
  curl -i -X OPTIONS ${gw}/orders -H 'Host: webmethods.test' -H 'Origin: http://test.com' -H 'Access-Control-Request-Method: POST'
  curl -i -X OPTIONS ${gw}/orders -H 'Host: webmethods.test' -H 'Origin: http://test2.com' -H 'Access-Control-Request-Method: DELETE'
  curl -i -X OPTIONS ${gw}/orders -H 'Host: webmethods.test' -H 'Origin: http://test2.com' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: test3'
  curl -i -X OPTIONS ${gw}/orders -H 'Host: webmethods.test' -H 'Origin: http://test2.com' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: test1'
  curl -i -X OPTIONS ${gw}/partner/orders -H 'Host: webmethods.test' -H 'Origin: http://test2.com' -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: test1'
  # 5. Amazon: a mock OPTIONS method with static CORS headers, and a function returning its own
  curl -i -X OPTIONS ${gw}/pets -H 'Host: amazon.test' -H 'Origin: https://www.example.com' -H 'Access-Control-Request-Method: POST'
  curl -i ${gw}/hello -H 'Host: amazon.test' -H 'Origin: https://www.example.com'

${httpsLines.join("\n")}

Explain any of them:  npx crossgate explain --config examples/demo.yaml --origin http://www.cors.com --method PUT --path /simple --header X-Sdk-Date
${storeNote}Stop with Ctrl-C.
`);
