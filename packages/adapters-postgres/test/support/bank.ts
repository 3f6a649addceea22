// The bank on this adapter's unit of work: the testing package's bankOn.
export { bankOn } from '@banking/testing';
