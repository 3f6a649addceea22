import t from 'tap';
import { x } from '@banking/domain';
t.equal(x, 1);
