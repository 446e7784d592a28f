/** The API docs' group of the new-employment routes. */
export const TAGS = ['新业态新就业群体'];
