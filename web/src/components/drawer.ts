/** Drawers fill a phone's width and take a comfortable width elsewhere. */
export const drawerSize = (): number | 'large' => (window.innerWidth < 768 ? window.innerWidth : 'large');
