/** The workbench feature's entrance: the 待办 list, the bell, and the notification seam other features use. */
export {
  notify,
  readAbout,
  addNotifier,
  inAppNotifier,
  type Notifier,
  type Message,
  type Recipient,
  type Audience,
} from './notify.js';
export { workbenchRoutes } from './routes.js';
export { runNotificationSweep } from './sweep.js';
