"""Voice of the Customer: obstacles agents name for the daily huddle, +1s, and the lead's "acted on"."""
