// jayson's HTTP server, for `rpc call` to talk to. Prints `listening on HOST:PORT`.
const jayson = require('jayson');

const server = new jayson.Server({
  add: (args, done) => done(null, args[0] + args[1]),
  echo: (args, done) => done(null, args[0]),
  fail: (args, done) => done({ code: 4000, message: 'refused: ' + args[0] }),
});

const http = server.http();
http.listen(0, '127.0.0.1', () => {
  const { address, port } = http.address();
  console.log(`listening on ${address}:${port}`);
});
