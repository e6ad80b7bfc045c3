// Switching settings tabs keeps the tab bar and shows the same skeleton beneath it.
export { default } from '@/app/(app)/loading';
