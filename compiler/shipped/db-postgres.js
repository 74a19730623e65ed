// `jsr:@db/postgres`, as tntc ships it: the driver lives in the guest runtime (guest-runtime/js/55-postgres.js),
// evaluated once into the runtime's snapshot; this module only re-exports it, so a node pays nothing for the
// driver's code at load time. Its calls go to the host's PostgreSQL capability (host/postgres), never a socket.
const driver = globalThis["__tntc_postgres"];
export const Client = driver.Client;
export const Pool = driver.Pool;
export const PoolClient = driver.PoolClient;
export const QueryClient = driver.QueryClient;
export const Transaction = driver.Transaction;
export const PostgresError = driver.PostgresError;
export const ConnectionError = driver.ConnectionError;
export const TransactionError = driver.TransactionError;
export const QueryArrayResult = driver.QueryArrayResult;
export const QueryObjectResult = driver.QueryObjectResult;
