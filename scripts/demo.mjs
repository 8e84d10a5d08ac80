// `npm start`: the demo. Starts the sample backend (examples/sample-backend.mjs) on 127.0.0.1:8081,
// then `crossgate start` in store mode: an embedded SQLite store (./crossgate.db) seeded on first
// start from examples/demo.yaml, the gateway on 127.0.0.1:8080 and the admin API on 127.0.0.1:9876.
// Extra arguments go to `crossgate start` (e.g. `npm start -- --config examples/demo.yaml`).
import { main } from "../dist/cli/main.js";
import { startSampleBackend } from "../examples/sample-backend.mjs";
import { startHttpsDemo } from "./demo-https.mjs";

const backendPort = Number(process.env.SAMPLE_BACKEND_PORT ?? 8081);
try {
  await startSampleBackend(backendPort);
} catch (error) {
  console.error(`the sample backend cannot listen on 127.0.0.1:${backendPort}: ${error.message}`);
  process.exit(1);
}

await main([process.argv[0], "crossgate", "start", ...process.argv.slice(2)]);
if (process.exitCode) process.exit(process.exitCode);
// The same demo over https (a second gateway process on the same store): scripts/demo-https.mjs.
const httpsLines = await startHttpsDemo(process.argv.slice(2));

const gw = "http://127.0.0.1:8080";
process.stderr.write(`
crossgate demo is running: gateway ${gw}, sample backend http://127.0.0.1:${backendPort}
Try the five seed scenarios (SPEC section 9):

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
Stop with Ctrl-C.
`);
