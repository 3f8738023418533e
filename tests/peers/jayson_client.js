// jayson's HTTP client against `rpc serve`: prints one JSON object of what each call gave.
const jayson = require('jayson');

const client = jayson.Client.http({ host: '127.0.0.1', port: Number(process.argv[2]) });

function call(method, params) {
  return new Promise((resolve, reject) => {
    client.request(method, params, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

function batch(requests) {
  return new Promise((resolve, reject) => {
    client.request(requests, (err, responses) => (err ? reject(err) : resolve(responses)));
  });
}

function notify(method, params) {
  return new Promise((resolve, reject) => {
    // A null id makes jayson send a notification (no id member).
    client.request(method, params, null, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

(async () => {
  const report = {};
  report.add = (await call('add', [2, 3])).result;
  report.named = (await call('sub', { a: 5, b: 1 })).result;
  report.echo = (await call('echo', [{ nested: [1, 'two', null] }])).result;
  report.nope = (await call('nope', [])).error.code;
  report.invalid = (await call('add', ['x', 1])).error.code;
  const responses = await batch([
    client.request('add', [1, 2]),
    client.request('nope', []),
    client.request('mul', [3, 4]),
  ]);
  report.batch = responses.map((r) => ('result' in r ? r.result : { error: r.error.code }));
  report.notify = (await notify('add', [1, 2])) === undefined ? 'no answer' : 'answered';
  console.log(JSON.stringify(report));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
