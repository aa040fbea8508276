import { describe, expect, it } from 'vitest';
import { createScanner } from './scanner.ts';

const scanner = createScanner({ secret: 'person-names-test-secret' });
/** the person names found in `t`, as written */
const names = (t: string) =>
  scanner
    .scan(t)
    .filter((f) => f.detector === 'person_name')
    .map((f) => t.slice(f.column - 1, f.column - 1 + f.length));

describe('person names in free text', () => {
  it.each([
    ['Recurring Payment for Gaurav Kumar', ['Gaurav Kumar']],
    ['John Oliver is a comedian.', ['John Oliver']],
    ['Richard Milhous Nixon', ['Richard Milhous Nixon']],
    ['Richard M. Nixon', ['Richard M. Nixon']],
    ['William Bill Alexander', ['William Bill Alexander']],
    ['Payment from Priya Sharma received', ['Priya Sharma']],
    ['refund by Amit Patel.', ['Amit Patel']],
    ['{"level":"info","msg":"ship to Rahul Agarwal today"}', ['Rahul Agarwal']],
    ['2026-11-27T10:00:00Z [order-sync] INFO note: Meera Chopra called', ['Meera Chopra']],
    // Indian names compromise does not know, from faker's en_IN lists
    ['Order shipped to Indiranagar for Meera Iyer', ['Meera Iyer']],
    ['refund approved for Ramesh Reddy and Anjali Gupta', ['Ramesh Reddy', 'Anjali Gupta']],
    ['call back Sushma Venkatesan Nair', ['Sushma Venkatesan Nair']],
    // a given name and nothing else, before any capitalised word
    ['Dan Tailor', ['Dan Tailor']],
    ['Dan Bar has a bank account.', ['Dan Bar']],
    ['2026-11-27T10:00:00Z [order-sync] INFO Dan Bar called', ['Dan Bar']],
    ['{"msg":"refund for Doug Page"}', ['Doug Page']],
  ])('%s: %j', (text, want) => {
    expect(names(text)).toEqual(want);
  });

  it.each([
    'Dan', // one word
    'Mark Complete', // a first name before an ordinary word
    'Grant Access Denied',
    'Will Retry Later',
    'Order Patel', // a word the lexicon knows before a last name
    'Richard M. Foo', // an initial and no name after it
    'JOHN OLIVER', // capitals
    'user John_Oliver', // an identifier
    'JohnOliver',
    'x.John Oliver', // glued to what is before it
    'mail John Smith@example.org', // an e-mail's local part
    'Sri Lanka',
    'Allen Solly',
    'Gemini Pro quota exceeded', // a first name in faker's lists before an ordinary word
    'Dev Mode enabled',
    'Cigarette Butt', // a word compromise knows keeps its reading
    'Chase Payment failed', // a first name that is also a word, before an ordinary word
    'Peter England shirt', // a given name before a place
    'Allen Solly shirt', // before a word the lexicon does not know
    'Alexa Shopping list', // before a word that is not a surname's form
    'Amazon Dan Tailor', // a given name before an ordinary word, in a title
    'Dan Tailor Shop',
  ])('%s: no name', (text) => {
    expect(names(text)).toEqual([]);
  });

  it('reports one name where a key and the lexicon both find it (the longer span)', () => {
    expect(names('{"buyer_name":"Gaurav Kumar Sharma"}')).toEqual(['Gaurav Kumar Sharma']);
    expect(names('{"name":"John Oliver Smith","email":"a@b.in"}')).toEqual(['John Oliver Smith']);
    expect(names('buyer name: Amit Patel Verma')).toEqual(['Amit Patel Verma']);
  });

  it('reports a brand made of names: nothing in the text tells it apart (a known limit)', () => {
    expect(names('Louis Philippe shirt')).toEqual(['Louis Philippe']);
  });

  it('takes a name known from its siblings as given, numbers too', () => {
    expect(names('{"name":"Razorpay User 21","email":"customer21@razorpay.com"}')).toEqual(['Razorpay User 21']);
    expect(names('{"name":"Plan 21","sku":"X"}')).toEqual([]);
  });
});
