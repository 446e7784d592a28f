/** The accounts feature's entrance: the routes the server registers. */
export { accountRoutes } from './routes.js';
export { temporaryPassword } from './service.js';
export { resetPasswordOnServer, resetTotpOnServer, setDisabledOnServer, unlockAccount } from './admin.js';
