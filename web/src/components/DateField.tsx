import { DatePicker, type DatePickerProps } from 'antd';

/** A touch screen (a phone, a tablet): its finger, not a mouse, points. */
const touchScreen = () => window.matchMedia('(pointer: coarse)').matches;

/**
 * A date picker for a form: on a touch screen its input is read-only, so a tap opens the calendar
 * and not the phone's keyboard over it (antd's inputReadOnly); with a keyboard a date can be typed.
 */
export function DateField(props: DatePickerProps) {
  return <DatePicker inputReadOnly={touchScreen()} {...props} />;
}
