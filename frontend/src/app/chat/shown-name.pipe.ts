import { Pipe, type PipeTransform } from '@angular/core';
import { shownName } from '@parley/contract';

/** A user name as people should read it: a deleted account's tombstone shows as "Deleted user". */
@Pipe({ name: 'shownName' })
export class ShownNamePipe implements PipeTransform {
  transform(username: string): string {
    return shownName(username);
  }
}
