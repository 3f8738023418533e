// A @grpc/grpc-js server of the seed's routing-table service (routetable.proto, loaded at run time
// by @grpc/proto-loader), with @grpc/reflection serving grpc.reflection.v1 and v1alpha, for `rpc`
// to talk to. Prints `listening on 127.0.0.1:PORT` first, then serves until killed.
//
//     node grpc_js_server.js [--proto PATH] [--unpatched-reflection]
//
// PATH defaults to ../../src/server/grpc/routetable.proto. @grpc/reflection 1.0.4 names the symbols
// of a file without a package with a leading dot (it lists the service ".Router", which no client
// then finds in the file it is sent); this server renames them as protoc does ("Router") unless
// --unpatched-reflection asks for the library's own behaviour.
const path = require('path');
const { parseArgs } = require('util');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { ReflectionService } = require('@grpc/reflection');

const { values: opts } = parseArgs({
  options: {
    proto: { type: 'string', default: path.join(__dirname, '..', '..', 'src', 'server', 'grpc', 'routetable.proto') },
    'unpatched-reflection': { type: 'boolean', default: false },
  },
});
const definition = protoLoader.loadSync(opts.proto, { keepCase: true, defaults: true });
const { Router } = grpc.loadPackageDefinition(definition);

const routes = [];
const server = new grpc.Server();
server.addService(Router.service, {
  // The route whose dest equals the destination's network, else a Route with nh "0.0.0.0".
  GetRoute: (call, callback) => {
    callback(null, routes.find((r) => r.dest === call.request.network) || { nh: '0.0.0.0' });
  },
  // The table, one message each, in the order the routes were added.
  ListRoutes: (call) => {
    routes.forEach((r) => call.write(r));
    call.end();
  },
  // Appends every route sent; answers success once the client's stream ends.
  AddRoutes: (call, callback) => {
    call.on('data', (r) => routes.push(r));
    call.on('end', () => callback(null, { success: true }));
  },
});

const reflection = new ReflectionService(definition);
if (!opts['unpatched-reflection']) {
  for (const impl of [reflection.v1, reflection.v1Alpha]) {
    for (const name of Object.keys(impl.services).filter((n) => n.startsWith('.'))) {
      impl.services[name.slice(1)] = impl.services[name];
      delete impl.services[name];
    }
    for (const name of Object.keys(impl.symbols).filter((n) => n.startsWith('.'))) {
      impl.symbols[name.slice(1)] = impl.symbols[name];
    }
  }
}
reflection.addToServer(server);

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  console.log(`listening on 127.0.0.1:${port}`);
});
